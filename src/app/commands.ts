import type { GroupingRules } from '../domain/grouping.js';
import { acknowledge, type CommandOutcome, close } from '../domain/incident-decisions.js';
import type { Incident } from '../domain/model.js';
import type { PriorityRules } from '../domain/priority.js';
import type { ProblemRules } from '../domain/problems.js';
import { problemEffects } from '../domain/problems.js';
import { markSla } from '../domain/sla-clock.js';
import { recordTrackerLink } from '../domain/tracker-sync.js';
import { ingestDelivery } from './ingest.js';
import { applyJiraEvent } from './jira-events.js';
import type { Command, CommandResult, EffectSink, IncidentStore, Logger, Metrics } from './ports.js';
import type { IssueOwner, ProblemStore } from './problem-ports.js';
import {
  correlateIncidents,
  createProblem,
  linkManually,
  type ProblemChanges,
  patchProblemById,
  releaseVersion,
} from './problems.js';

export interface ExecutorDeps {
  readonly store: IncidentStore;
  readonly problems: ProblemStore;
  readonly grouping: GroupingRules;
  readonly problemRules: ProblemRules;
  /** Projects whose version releases close problems. */
  readonly releaseProjects: readonly string[];
  /** Priorities and SLA clocks (`priority.yml`). */
  readonly priority: PriorityRules;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly effects: EffectSink;
}

export type Executor = (command: Command) => Promise<CommandResult>;

/**
 * Carries out commands against the stores; the same executor serves the embedded and the Redis mode.
 * Every change is a command carrying its own time, so replaying the embedded journal gives the same state.
 */
export function createExecutor(deps: ExecutorDeps): Executor {
  const problemDeps = { store: deps.store, problems: deps.problems, rules: deps.problemRules };
  const announce = async (changes: ProblemChanges, at: string): Promise<void> => {
    if (changes.incidents.length + changes.problems.length > 0) {
      await deps.effects.publish(problemEffects(changes.incidents, at), changes.incidents, changes.problems);
    }
  };

  /** Jira webhooks name issues by key or numeric id: remember whose issue each is. */
  const recordOwner = async (
    owner: IssueOwner,
    link: { key: string | null; issueId?: string | undefined },
  ) => {
    if (!link.key) return;
    await deps.problems.setIssueOwner(owner, [link.key, ...(link.issueId ? [link.issueId] : [])]);
  };

  const onIncident = async (
    id: string,
    decide: (incident: Incident) => CommandOutcome,
  ): Promise<CommandResult> => {
    const outcome = await deps.store.updateById(id, async (incident) => {
      const o = decide(incident);
      return { next: o.kind === 'changed' ? o.incident : null, write: o.kind === 'changed', result: o };
    });
    if (outcome === null) return { type: 'incident', incident: null };
    if (outcome.kind === 'rejected') {
      return { type: 'incident', incident: await deps.store.get(id), rejected: outcome.why };
    }
    if (outcome.kind === 'changed') await deps.effects.publish(outcome.effects, [outcome.incident]);
    return { type: 'incident', incident: outcome.incident };
  };

  return async (command) => {
    switch (command.type) {
      case 'ingest': {
        const out = await ingestDelivery(deps, command.delivery);
        // Incidents correlation has not seen yet, including any a crash kept it from seeing before.
        const correlated = await correlateIncidents(problemDeps, out.changed, command.delivery.receivedAt);
        const latest = new Map(out.changed.map((i) => [i.id, i]));
        for (const i of correlated.incidents) latest.set(i.id, i);
        if (latest.size > 0 || correlated.problems.length > 0) {
          const effects = [
            ...out.effects,
            ...problemEffects(correlated.incidents, command.delivery.receivedAt),
          ];
          await deps.effects.publish(effects, [...latest.values()], correlated.problems);
        }
        return { type: 'ingested', decisions: out.decisions };
      }
      case 'ack':
        return onIncident(command.incidentId, (i) => acknowledge(i, command.by, command.at));
      case 'close':
        return onIncident(command.incidentId, (i) => close(i, command.at));
      case 'tracker-synced': {
        const synced = await deps.store.updateById(command.incidentId, async (i) => {
          const next = recordTrackerLink(i, command.link);
          return {
            next,
            write: true,
            result: { next, ticket: !i.jira?.key && command.link.key ? command.link.key : null },
          };
        });
        const incident = synced?.next ?? null;
        if (incident && synced?.ticket) {
          // The ticket exists now: people who heard of the incident before it did hear its key.
          await deps.effects.publish(
            [{ type: 'ticket-created', incidentId: incident.id, key: synced.ticket }],
            [incident],
          );
        }
        await recordOwner({ kind: 'incident', id: command.incidentId }, command.link);
        return { type: 'incident', incident };
      }
      case 'sla-mark':
        return onIncident(command.incidentId, (i) => markSla(i, command.mark, command.at));
      case 'problem-tracker-synced': {
        const problem = await deps.problems.updateProblem(command.problemId, async (p) => {
          if (!p) return { next: null, result: null };
          const next = { ...p, jira: command.link };
          return { next, result: next };
        });
        await recordOwner({ kind: 'problem', id: command.problemId }, command.link);
        return { type: 'problem', problem };
      }
      case 'problem-create': {
        const missing = [];
        for (const id of command.incidentIds) if (!(await deps.store.get(id))) missing.push(id);
        if (missing.length > 0)
          return { type: 'problem', problem: null, rejected: `unknown incidents: ${missing.join(', ')}` };
        const { problem, changes } = await createProblem(
          problemDeps,
          command.title,
          command.incidentIds,
          command.at,
        );
        await announce(changes, command.at);
        return { type: 'problem', problem };
      }
      case 'problem-link': {
        if (command.problemId !== null && !(await deps.problems.getProblem(command.problemId))) {
          return { type: 'problem', problem: null, rejected: `problem ${command.problemId} not found` };
        }
        const changes = await linkManually(problemDeps, command.incidentId, command.problemId, command.at);
        await announce(changes, command.at);
        return { type: 'incident', incident: await deps.store.get(command.incidentId) };
      }
      case 'problem-patch': {
        const { problem, changes } = await patchProblemById(
          problemDeps,
          command.problemId,
          command.patch,
          command.at,
        );
        await announce(changes, command.at);
        return { type: 'problem', problem };
      }
      case 'release': {
        const changes = await releaseVersion(
          problemDeps,
          command.version,
          command.at,
          (p) =>
            command.project === undefined ||
            p.jira?.key == null ||
            p.jira.key.startsWith(`${command.project}-`),
        );
        await announce(changes, command.at);
        return {
          type: 'released',
          problemIds: [...new Set(changes.problems.map((p) => p.id))],
          incidentIds: [...new Set(changes.incidents.map((i) => i.id))],
        };
      }
      case 'jira-event': {
        if (
          command.deliveryId !== null &&
          !(await deps.problems.rememberDelivery(command.deliveryId, command.at))
        ) {
          return { type: 'done' };
        }
        const changes = await applyJiraEvent(
          { ...problemDeps, releaseProjects: deps.releaseProjects },
          command.event,
          command.at,
        );
        await announce(changes, command.at);
        return { type: 'done' };
      }
    }
  };
}
