import { createServer } from 'node:net';

// Ports for child processes that need a fixed port are drawn below the kernel's ephemeral range
// (32768–60999 on Linux): a port that listen(0) hands out can be taken a moment later by any
// outgoing connection on the machine, before the child binds it ("Address already in use").
const LOW = 20_000;
const HIGH = 32_000;
// Never hand out the same port twice in one test process (two calls before either child binds).
const handedOut = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1, outside the ephemeral range. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${LOW} and ${HIGH}`);
}
