import { needsSync, problemNeedsSync } from '../domain/tracker-sync.js';
import type { EffectSink, IncidentStore, Logger } from './ports.js';
import type { ProblemStore } from './problem-ports.js';
import type { TrackerQueue } from './tracker-ports.js';

/** Asks for a tracker job for every incident a command changed in a way its issue does not show yet. */
export function trackerEffectSink(queue: TrackerQueue, logger: Logger): EffectSink {
  return {
    async publish(_effects, incidents, problems = []) {
      const ids = [
        ...incidents.filter(needsSync).map((i) => i.id),
        ...problems.filter(problemNeedsSync).map((p) => p.id),
      ];
      for (const id of ids) {
        await queue.schedule(id).catch((e: unknown) => {
          // The next change, or the next start, asks again; the incident itself is safe in the store.
          logger.warn('tracker job not scheduled', { id, error: String(e) });
        });
      }
    },
  };
}

/** Several sinks hear the same news, one after the other; one failing does not silence the others. */
export function fanOut(sinks: readonly EffectSink[], logger: Logger): EffectSink {
  return {
    async publish(effects, incidents, problems = []) {
      for (const s of sinks) {
        await s
          .publish(effects, incidents, problems)
          .catch((e: unknown) => logger.warn('effect sink failed', { error: String(e) }));
      }
    },
  };
}

/** At start: every incident whose issue is out of line gets a job, since jobs may have been lost with a crash. */
export async function scheduleOutOfLine(
  store: Pick<IncidentStore, 'list'>,
  problems: Pick<ProblemStore, 'listProblems'>,
  queue: TrackerQueue,
): Promise<number> {
  let n = 0;
  for (const i of await store.list({ limit: 1_000_000 })) {
    if (i.status === 'closed' && i.jira?.key == null) continue;
    if (!needsSync(i)) continue;
    await queue.schedule(i.id);
    n++;
  }
  for (const p of await problems.listProblems({ limit: 100_000 })) {
    if (!problemNeedsSync(p)) continue;
    await queue.schedule(p.id);
    n++;
  }
  return n;
}
