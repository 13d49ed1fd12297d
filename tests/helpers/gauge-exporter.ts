import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny Prometheus exporter the test controls: gauges it sets, served at `/metrics`. */
export interface GaugeExporter {
  /** `host:port`, as a Prometheus scrape target. */
  readonly target: string;
  set(name: string, labels: Record<string, string>, value: number): void;
  close(): Promise<void>;
}

export async function startGaugeExporter(): Promise<GaugeExporter> {
  const series = new Map<string, string>();
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end([...series.values()].map((line) => `${line}\n`).join(''));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    set(name, labels, value) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',');
      series.set(`${name}{${text}}`, `${name}{${text}} ${value}`);
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
