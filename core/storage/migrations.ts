// Versioned schema migrations, shared by every store. A store applies them at start: the
// `schema_migrations` table records (version, name, applied_at); pending migrations run in order,
// each inside a transaction where the store has them. A database that records a version this build
// does not know (written by a newer agentcol) is an error: it is never silently changed.
import { SCHEMA_VERSION, TABLES, columnsAddedIn, columnsAt, type TableColumn, type TableDef } from './model.ts';

export interface Migration {
  version: number;
  name: string;
  /** Run in order; in one transaction with the schema_migrations record where supported. */
  statements: string[];
}

/** What the runner needs from a store. */
export interface SqlSession {
  exec(sql: string): Promise<void>;
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** BEGIN / COMMIT / ROLLBACK wrap each migration (DuckDB, PostgreSQL; not ClickHouse). */
  transactional: boolean;
}

export const MIGRATIONS_TABLE = 'schema_migrations';

/** Valid in DuckDB and PostgreSQL; a store without these types passes its own. */
export const DEFAULT_MIGRATIONS_TABLE_SQL =
  `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (` +
  'version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT current_timestamp)';

export class SchemaVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaVersionError';
  }
}

export interface MigrateOptions {
  /** For messages, e.g. 'DuckDB database data/agentcol.duckdb'. */
  describe: string;
  migrationsTableSql?: string;
}

/** Applies the pending migrations; returns the versions it applied. */
export async function runMigrations(session: SqlSession, migrations: Migration[], opts: MigrateOptions): Promise<number[]> {
  checkMigrationList(migrations);
  await session.exec(opts.migrationsTableSql ?? DEFAULT_MIGRATIONS_TABLE_SQL);
  const applied = await session.query(`SELECT version, name FROM ${MIGRATIONS_TABLE} ORDER BY version`);
  const known = new Map(migrations.map((m) => [m.version, m]));
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  const done = new Set<number>();
  for (const row of applied) {
    const version = Number(row.version);
    const m = known.get(version);
    if (version > latest) {
      throw new SchemaVersionError(
        `${opts.describe} has schema version ${version} ("${String(row.name)}"), newer than this agentcol knows ` +
          `(latest ${latest}). It was written by a newer agentcol; run that version, or point this one at another ` +
          `database. The database was not changed.`,
      );
    }
    if (!m) {
      throw new SchemaVersionError(
        `${opts.describe} records schema migration ${version} ("${String(row.name)}"), which this agentcol does not have. ` +
          'The database was not changed.',
      );
    }
    if (m.name !== row.name) {
      throw new SchemaVersionError(
        `${opts.describe} records schema migration ${version} as "${String(row.name)}" but this agentcol's migration ${version} ` +
          `is "${m.name}": the schemas diverged. The database was not changed.`,
      );
    }
    done.add(version);
  }
  const ran: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    if (session.transactional) await session.exec('BEGIN TRANSACTION');
    try {
      for (const sql of m.statements) await session.exec(sql);
      await session.exec(`INSERT INTO ${MIGRATIONS_TABLE} (version, name) VALUES (${m.version}, '${m.name.replaceAll("'", "''")}')`);
      if (session.transactional) await session.exec('COMMIT');
    } catch (err) {
      if (session.transactional) await session.exec('ROLLBACK').catch(() => {});
      throw new Error(`${opts.describe}: schema migration ${m.version} ("${m.name}") failed: ${(err as Error).message}`, { cause: err });
    }
    ran.push(m.version);
  }
  return ran;
}

function checkMigrationList(migrations: Migration[]): void {
  let prev = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= prev) {
      throw new Error(`migrations must have increasing positive integer versions (got ${m.version} after ${prev})`);
    }
    prev = m.version;
  }
}

/** How one store spells the model's DDL. */
export interface SchemaDialect {
  createTable(table: TableDef, columns: TableColumn[]): string[];
  addColumns(table: TableDef, columns: TableColumn[]): string[];
}

/** The migrations that build the model's tables: version 1 creates them; each later version adds
 * the columns marked `since: version`. Stores append their own migrations after these if needed. */
export function modelMigrations(dialect: SchemaDialect, tables: readonly TableDef[] = TABLES, latest = SCHEMA_VERSION): Migration[] {
  const out: Migration[] = [];
  for (let v = 1; v <= latest; v++) {
    const statements =
      v === 1
        ? tables.flatMap((t) => dialect.createTable(t, columnsAt(t, 1)))
        : tables.flatMap((t) => {
            const added = columnsAddedIn(t, v);
            return added.length ? dialect.addColumns(t, added) : [];
          });
    out.push({ version: v, name: v === 1 ? 'create otel tables' : `schema version ${v}`, statements });
  }
  return out;
}
