// The undici-based provider client on its own, against a raw local server: what it sends, and how
// a cancelled, stalled or cut call ends (each must settle promptly, never hang to a later timeout).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderClient, UpstreamFailure, readAll } from '../../../receivers/llm_proxy/upstream.ts';

let server: http.Server;
let base = '';
const seen: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      if (req.url === '/v1/never') return; // no headers, ever
      if (req.url === '/v1/whole') {
        res.writeHead(200, { 'content-type': 'application/json', 'X-Odd-Case': 'v' });
        res.write('{"a":');
        return void setTimeout(() => res.end('1}'), 20); // two chunks
      }
      if (req.url === '/v1/bad') {
        res.writeHead(429, { 'retry-after': '2' });
        res.write('{"error":');
        return void setTimeout(() => res.socket?.destroy(), 20); // an error answer, cut
      }
      res.writeHead(200, { 'content-type': 'application/json', 'retry-after': '3' });
      res.write('{"partial":');
      if (req.url === '/v1/cut') setTimeout(() => res.socket?.destroy(), 20);
      // '/v1/slow': the rest never comes
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = (timeoutMs = 5000) => new ProviderClient({ name: 'p', kind: 'anthropic', base_url: base, timeoutMs, anthropic_version: '2023-06-01' });

describe('ProviderClient (undici)', () => {
  it('sends host, the key, the body length; gives lower-case headers and the status', async () => {
    const c = client();
    const up = await c.send({ path: '/cut', body: '{"a":1}', headers: { 'anthropic-beta': 'x' } }, 'sk-test');
    expect(up.statusCode).toBe(200);
    expect(up.headers['retry-after']).toBe('3');
    const h = seen.at(-1)!;
    expect(h.host).toBe(new URL(base).host);
    expect(h['x-api-key']).toBe('sk-test');
    expect(h['anthropic-version']).toBe('2023-06-01');
    expect(h['anthropic-beta']).toBe('x');
    expect(h['content-length']).toBe('7');
    // The connection is cut mid-body: a connection failure, not a hang.
    const err = await readAll(up.body, 5000).catch((e) => e);
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect(err.kind).toBe('connection');
    c.close();
  });

  it('times out waiting for headers with a timeout failure', async () => {
    const c = client(150);
    const t0 = Date.now();
    const err = await c.send({ path: '/never', body: '{}' }, 'k').catch((e) => e);
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect(err.kind).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(2000);
    c.close();
  });

  it('a call cancelled while its body is read settles the reader at once', async () => {
    const c = client();
    let handle: { destroy(): void } | undefined;
    const up = await c.send({ path: '/slow', body: '{}', onRequest: (h) => (handle = h) }, 'k');
    const reading = readAll(up.body, 5000).catch((e) => e);
    const t0 = Date.now();
    handle!.destroy();
    const err = await reading;
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect(Date.now() - t0).toBeLessThan(1000);
    c.close();
  });

  it('sendWhole: the whole body from several chunks, status and lower-case headers', async () => {
    const c = client();
    const up = await c.sendWhole({ path: '/whole', body: '{}' }, 'k');
    expect(up.statusCode).toBe(200);
    expect(up.headers['x-odd-case']).toBe('v');
    expect(up.body.toString()).toBe('{"a":1}');
    // The connection is kept for the next call.
    expect((await c.sendWhole({ path: '/whole', body: '{}' }, 'k')).body.toString()).toBe('{"a":1}');
    c.close();
  });

  it('sendWhole: a body cut mid-way is a connection failure; a stalled one a timeout failure', async () => {
    const c = client(200);
    const cut = await c.sendWhole({ path: '/cut', body: '{}' }, 'k').catch((e) => e);
    expect(cut).toBeInstanceOf(UpstreamFailure);
    expect(cut.kind).toBe('connection');
    expect(cut.message).toMatch(/the response was cut/);
    const t0 = Date.now();
    const slow = await c.sendWhole({ path: '/slow', body: '{}' }, 'k').catch((e) => e);
    expect(slow).toBeInstanceOf(UpstreamFailure);
    expect(slow.kind).toBe('timeout');
    expect(slow.message).toMatch(/stalled for 200 ms/);
    expect(Date.now() - t0).toBeLessThan(2000);
    const never = await c.sendWhole({ path: '/never', body: '{}' }, 'k').catch((e) => e);
    expect(never.kind).toBe('timeout');
    expect(never.message).toMatch(/did not answer within 200 ms/);
    c.close();
  });

  it('sendWhole: an error answer whose body is cut still gives its status (routing needs it), with no body', async () => {
    const c = client();
    const up = await c.sendWhole({ path: '/bad', body: '{}' }, 'k');
    expect(up.statusCode).toBe(429);
    expect(up.headers['retry-after']).toBe('2');
    expect(up.body.length).toBe(0);
    c.close();
  });

  it('sendWhole: cancelled while the body is read, or before the headers, it settles at once as a connection failure', async () => {
    const c = client();
    let handle: { destroy(): void } | undefined;
    const p = c.sendWhole({ path: '/slow', body: '{}', onRequest: (h) => (handle = h) }, 'k').catch((e) => e);
    await new Promise((r) => setTimeout(r, 50)); // headers and the first chunk are in
    const t0 = Date.now();
    handle!.destroy();
    const err = await p;
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect(err.kind).toBe('connection');
    expect(Date.now() - t0).toBeLessThan(1000);
    const early = await c.sendWhole({ path: '/never', body: '{}', onRequest: (h) => setTimeout(() => h.destroy(), 30) }, 'k').catch((e) => e);
    expect(early).toBeInstanceOf(UpstreamFailure);
    expect(early.kind).toBe('connection');
    c.close();
  });

  it('a call cancelled before its headers fails as a connection failure', async () => {
    const c = client();
    const p = c.send({ path: '/never', body: '{}', onRequest: (h) => setTimeout(() => h.destroy(), 30) }, 'k').catch((e) => e);
    const err = await p;
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect(err.kind).toBe('connection');
    c.close();
  });
});
