import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A PostgreSQL server of the run's own for the postgres exporter's server mode (see the file).
    globalSetup: ['test/global-postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: suites start real servers and stores; more parallel files only thrash.
    maxWorkers: 2,
  },
});
