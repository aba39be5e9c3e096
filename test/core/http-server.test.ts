// The shared HTTP server: clear listen errors, graceful close that waits for requests in flight
// (and no longer than the grace period), and a handler that throws answered with a 500.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpServer } from '../../core/http-server.ts';

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function serve(handler: ConstructorParameters<typeof HttpServer>[0], errors: Error[] = []): HttpServer {
  const s = new HttpServer(handler, { onError: (e) => errors.push(e) });
  servers.push(s);
  return s;
}

describe('HttpServer', () => {
  it('says which key to change when the port is taken or the endpoint is not host:port', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(serve(() => {}).listen(`127.0.0.1:${port}`, 'my receiver', 'receivers.mine.endpoint')).rejects.toThrow(
        `my receiver: cannot listen on 127.0.0.1:${port}: address already in use — change receivers.mine.endpoint`,
      );
    } finally {
      taken.close();
    }
    await expect(serve(() => {}).listen('localhost', 'my receiver', 'receivers.mine.endpoint')).rejects.toThrow(
      'my receiver: invalid endpoint "localhost" — change receivers.mine.endpoint to "host:port"',
    );
  });

  it('close lets a request in flight finish within the grace period, then cuts the rest', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    const s = serve(async (_req, res) => {
      entered();
      await slow;
      res.end('done');
    });
    const { port } = await s.listen('127.0.0.1:0', 'test', 'endpoint');
    const answer = fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
    await inHandler;
    const closed = s.close(5000);
    setTimeout(release, 200);
    expect(await answer).toBe('done');
    await closed;

    // A request that never finishes is cut after the grace period.
    let stuckEntered!: () => void;
    const inStuck = new Promise<void>((r) => (stuckEntered = r));
    const stuck = serve(() => {
      stuckEntered();
      return new Promise<void>(() => {});
    });
    const p2 = (await stuck.listen('127.0.0.1:0', 'test', 'endpoint')).port;
    const cut = fetch(`http://127.0.0.1:${p2}/`).then(
      () => 'answered',
      () => 'cut',
    );
    await inStuck;
    const t0 = Date.now();
    await stuck.close(300);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await cut).toBe('cut');
  });

  it('a handler that throws is answered 500 and reported; the server keeps serving', async () => {
    const errors: Error[] = [];
    let calls = 0;
    const s = serve((_req, res) => {
      if (++calls === 1) throw new Error('boom');
      res.end('ok');
    }, errors);
    const { port } = await s.listen('127.0.0.1:0', 'test', 'endpoint');
    const first = await fetch(`http://127.0.0.1:${port}/`);
    expect(first.status).toBe(500);
    expect(errors.map((e) => e.message)).toEqual(['boom']);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
  });
});
