/**
 * The yardstick: a bare `node:http` server that reads the body, parses the JSON and answers 202,
 * nothing else. The bench runs it as a child process, like the bridge, and compares the two.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let status = 202;
    let accepted = 0;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { alerts?: unknown };
      accepted = Array.isArray(body.alerts) ? body.alerts.length : 0;
    } catch {
      status = 400;
    }
    const answer = JSON.stringify(status === 202 ? { accepted } : { error: 'bad-json' });
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(answer),
    });
    res.end(answer);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ message: 'bare server started', url: `http://127.0.0.1:${port}` })}\n`,
  );
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
