/**
 * A real HTTP server on a free loopback port, for http sinks and http-call services in tests: it
 * records every request and answers with what `respond` says (default 200, empty).
 *
 * @example
 *   const target = await startHttpTarget(req => ({ status: 200, body: '{"town":"NY"}' }));
 *   ... target.url('/registry') ... target.requests ... await target.stop();
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TargetRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpTarget {
  readonly requests: TargetRequest[];
  url(path: string): string;
  stop(): Promise<void>;
}

export async function startHttpTarget(
  respond: (req: TargetRequest, n: number) => { status: number; body?: string; headers?: Record<string, string> } = () => ({ status: 200 }),
): Promise<HttpTarget> {
  const requests: TargetRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c as Buffer));
    req.on('end', () => {
      const r = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      const a = respond(r, requests.length);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    requests,
    url: path => `http://127.0.0.1:${port}${path}`,
    stop: () => new Promise<void>(resolve => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
