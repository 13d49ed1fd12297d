import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ZabbixApi, ZabbixApiError } from '../../src/adapters/zabbix/zabbix-api.js';
import { ADMIN, startZabbixSimulator, type ZabbixSimulator } from '../zabbix-sim/zabbix-simulator.js';

const rpc = async (sim: ZabbixSimulator, body: unknown, headers: Record<string, string> = {}) => {
  const r = await fetch(sim.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json-rpc', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, body: r.status === 200 ? ((await r.json()) as Record<string, unknown>) : null };
};

const never = new AbortController().signal;

describe('Zabbix 6.0 simulator', () => {
  let sim: ZabbixSimulator;
  let token: string;
  beforeEach(async () => {
    sim = await startZabbixSimulator();
    token = sim.state.addToken(ADMIN.userid);
    sim.state.addHost('db-1', {
      name: 'Database 1',
      groups: ['Databases'],
      tags: [{ tag: 'env', value: 'prod' }],
    });
    const t = sim.state.addTrigger('db-1', 'Replication lag on {HOST.NAME}', {
      priority: 4,
      tags: [{ tag: 'service', value: 'db' }],
    });
    sim.state.fire(t.triggerid);
  });
  afterEach(async () => {
    await sim.close();
  });

  it('answers the JSON-RPC errors of a 6.0 server for missing, bad and misplaced auth', async () => {
    const call = { jsonrpc: '2.0', method: 'problem.get', params: {}, id: 7 };
    expect((await rpc(sim, call)).body).toEqual({
      jsonrpc: '2.0',
      error: { code: -32602, message: 'Invalid params.', data: 'Not authorised.' },
      id: 7,
    });
    expect((await rpc(sim, { ...call, auth: 'f'.repeat(64) })).body).toMatchObject({
      error: { code: -32602, message: 'Invalid params.', data: 'Session terminated, re-login, please.' },
    });
    // 6.0 does not read the Authorization header: the token must be the `auth` property.
    expect((await rpc(sim, call, { authorization: `Bearer ${token}` })).body).toMatchObject({
      error: { data: 'Not authorised.' },
    });
    expect((await rpc(sim, { ...call, method: 'apiinfo.version', auth: token })).body).toMatchObject({
      error: {
        code: -32602,
        data: 'The "apiinfo.version" method must be called without the "auth" parameter.',
      },
    });
    const expired = sim.state.addToken(ADMIN.userid, 1);
    expect((await rpc(sim, { ...call, auth: expired })).body).toMatchObject({
      error: { code: -32500, message: 'Application error.', data: 'API token expired.' },
    });
    expect(
      (await rpc(sim, { ...call, method: 'user.login', params: { username: 'Admin', password: 'x' } })).body,
    ).toMatchObject({
      error: { code: -32602, data: 'Incorrect user name or password or account is temporarily blocked.' },
    });
  });

  it('validates params and request shape in Zabbix wording', async () => {
    const base = { jsonrpc: '2.0', id: 1, auth: token };
    expect(
      (await rpc(sim, { ...base, method: 'problem.get', params: { hostnames: ['x'] } })).body,
    ).toMatchObject({
      error: { code: -32602, data: 'Invalid parameter "/": unexpected parameter "hostnames".' },
    });
    expect(
      (
        await rpc(sim, {
          ...base,
          method: 'problem.get',
          params: { selectAcknowledges: ['clock', 'username'] },
        })
      ).body,
    ).toMatchObject({
      error: {
        data: expect.stringMatching(/^Invalid parameter "\/selectAcknowledges\/2": value must be one of/),
      },
    });
    expect((await rpc(sim, { ...base, method: 'problem.gett', params: {} })).body).toMatchObject({
      error: { code: -32601, message: 'Method not found.', data: 'Incorrect method "problem.gett".' },
    });
    expect((await rpc(sim, '{"jsonrpc":')).body).toMatchObject({ error: { code: -32700 }, id: null });
    const wrongType = await fetch(sim.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(wrongType.status).toBe(412);
  });

  it('gives problems with string fields, tags from the trigger then the host, and names expanded', async () => {
    const answer = await rpc(sim, {
      jsonrpc: '2.0',
      method: 'problem.get',
      params: {
        output: ['eventid', 'name', 'severity', 'r_eventid', 'clock'],
        selectTags: ['tag', 'value'],
        recent: true,
      },
      auth: token,
      id: 2,
    });
    const [p] = (answer.body?.result ?? []) as Record<string, unknown>[];
    expect(p).toEqual({
      eventid: expect.stringMatching(/^\d+$/),
      name: 'Replication lag on Database 1',
      severity: '4',
      r_eventid: '0',
      clock: expect.stringMatching(/^\d+$/),
      tags: [
        { tag: 'service', value: 'db' },
        { tag: 'env', value: 'prod' },
      ],
    });
  });

  it('lets the bridge client speak each version: auth property on 6.0, bearer header on 7.0', async () => {
    const api = new ZabbixApi({ url: sim.apiUrl, auth: { type: 'token', token }, timeoutMs: 2000 });
    expect(await api.call('problem.get', { output: ['eventid'] }, z.array(z.unknown()), never)).toHaveLength(
      1,
    );
    expect(sim.calls.at(-1)).toMatchObject({ method: 'problem.get', auth: token, authorization: undefined });

    const seven = await startZabbixSimulator({ version: '7.0.0' });
    try {
      const t7 = seven.state.addToken(ADMIN.userid);
      const api7 = new ZabbixApi({ url: seven.apiUrl, auth: { type: 'token', token: t7 }, timeoutMs: 2000 });
      await api7.call('problem.get', { output: ['eventid'] }, z.array(z.unknown()), never);
      expect(seven.calls.at(-1)).toMatchObject({ auth: undefined, authorization: `Bearer ${t7}` });
    } finally {
      await seven.close();
    }
  });

  it('logs in with username and password, and again once the server dropped the session', async () => {
    const api = new ZabbixApi({
      url: sim.apiUrl,
      auth: { type: 'password', user: 'Admin', password: 'zabbix' },
      timeoutMs: 2000,
    });
    await api.call('problem.get', { output: ['eventid'] }, z.array(z.unknown()), never);
    sim.state.dropSessions();
    await api.call('problem.get', { output: ['eventid'] }, z.array(z.unknown()), never);
    const logins = sim.calls.filter((c) => c.method === 'user.login');
    expect(logins).toHaveLength(2);
    expect(logins[0]?.params).toEqual({ username: 'Admin', password: 'zabbix' });
    expect(sim.state.sessions.size).toBe(1);
    await api.logout(never);
    expect(sim.state.sessions.size).toBe(0);

    const wrong = new ZabbixApi({ url: sim.apiUrl, auth: { type: 'token', token: 'nope' }, timeoutMs: 2000 });
    const error = await wrong.call('problem.get', {}, z.unknown(), never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZabbixApiError);
    expect((error as ZabbixApiError).isAuthFailure).toBe(true);
  });
});
