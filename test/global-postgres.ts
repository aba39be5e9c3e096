// Vitest global setup: a PostgreSQL server of the test run's own, so `npm test` needs no running
// database. initdb into a temp directory with the machine's PostgreSQL binaries, listen on loopback
// only (a free port, the socket in the temp directory), role `agentcol` with password `agentcol`
// and CREATEDB; stopped and deleted when the run ends. AGENTCOL_TEST_PG (a postgres:// URL of an
// existing server whose role may create databases) skips all this.
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from './helpers/postgres-cluster.ts';

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.AGENTCOL_TEST_PG) {
    project.provide('pgUrl', process.env.AGENTCOL_TEST_PG);
    return undefined;
  }
  const cluster = await startPostgresCluster({ maxConnections: 200 });
  project.provide('pgUrl', cluster.url);
  return () => cluster.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
