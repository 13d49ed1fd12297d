import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionPool, sendClosedLoop, sendPaced } from '../../bench/http-load.js';

/** The bench's load generator reads answers itself; what it counts is only as good as that reading. */

let server: Server | null = null;
const sockets = new Set<Socket>();

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void) {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((ok) => server?.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
  server = null;
});

const bodies = (n: number) =>
  Array.from({ length: n }, (_, i) => Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(70_000) })));

describe('bench load generator', () => {
  it('posts every body whole over reused connections and counts the 202s', async () => {
    const seen: number[] = [];
    const connections = new Set<unknown>();
    const url = await serve((req, res, body) => {
      connections.add(req.socket);
      seen.push((JSON.parse(body.toString()) as { i: number }).i);
      res.writeHead(202, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
    });
    const result = await sendClosedLoop({ url, path: '/in' }, bodies(40), Array(40).fill(3), 4);
    expect(result.accepted).toBe(40);
    expect(result.acceptedAlerts).toBe(120);
    expect(result.failures).toEqual({});
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
    expect(connections.size).toBeLessThanOrEqual(4);
  });

  it('counts other statuses, reads chunked answers and opens a new connection after Connection: close', async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n++;
      if (n % 3 === 0) {
        res.writeHead(503, { 'content-type': 'application/json', connection: 'close' });
        res.end('{"error":"unavailable"}');
      } else if (n % 3 === 1) {
        // No content-length: node answers chunked.
        res.writeHead(202, { 'content-type': 'application/json' });
        res.write('{"accepted"');
        res.end(':1}');
      } else {
        res.writeHead(400, { 'content-type': 'application/json', 'content-length': 2 });
        res.end('{}');
      }
    });
    const result = await sendClosedLoop({ url, path: '/in' }, bodies(9), Array(9).fill(1), 1);
    expect(result.accepted).toBe(3);
    expect(result.failures).toEqual({ '400': 3, '503': 3 });
  });

  it('answers "error" when the server drops the connection, and goes on with a new one', async () => {
    let n = 0;
    const url = await serve((req, res) => {
      n++;
      if (n === 2) req.socket.destroy();
      else {
        res.writeHead(202, { 'content-length': 0 });
        res.end();
      }
    });
    const pool = new ConnectionPool(url, 1);
    const answers = [];
    for (const body of bodies(3)) answers.push((await pool.post('/in', body)).status);
    pool.close();
    expect(answers).toEqual([202, 'error', 202]);
  });

  it('holds a paced request that finds every connection busy until one is free', async () => {
    let inFlight = 0;
    let most = 0;
    const url = await serve((_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(202, { 'content-length': 0 });
        res.end();
      }, 20);
    });
    const result = await sendPaced({ url, path: '/in' }, bodies(12), Array(12).fill(1), 1000, 3);
    expect(result.accepted).toBe(12);
    expect(most).toBe(3);
    // The last requests waited for a connection: their latency counts the wait.
    expect(result.latenciesMs.at(-1)).toBeGreaterThanOrEqual(60);
  });
});
