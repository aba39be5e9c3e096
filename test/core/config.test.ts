import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue } from '../../core/config/issues.ts';
import { loadConfig, loadConfigText, type LoadResult } from '../../core/config/load.ts';
import { editDistance, nearest } from '../../core/config/suggest.ts';
import { fixtureRegistry } from '../fixtures/factories.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FILE = path.join(ROOT, 'config/agent.yaml');
const FIXTURES = path.join(ROOT, 'test/fixtures/configs');

function load(yaml: string, env: Record<string, string> = {}): Promise<LoadResult> {
  return loadConfigText(yaml, FILE, { registry: fixtureRegistry(), env });
}

/** Every error, formatted as the CLI prints it (file relative to the repo root). */
async function errors(yaml: string, env: Record<string, string> = {}): Promise<string[]> {
  try {
    await load(yaml, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.errors.map((e) => formatIssue(e, ROOT));
    throw err;
  }
  throw new Error('expected the config to be invalid');
}

const warningsOf = (r: LoadResult) => r.warnings.map((w) => formatIssue(w, ROOT));

const PIPELINE = `
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
`;

describe('suggestions', () => {
  it('computes edit distances and only suggests close names', () => {
    expect(editDistance('pth', 'path')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(nearest('pth', ['path', 'port'])).toBe('path');
    expect(nearest('Endpoint', ['endpoint'])).toBe('endpoint');
    expect(nearest('zzz', ['path', 'timeout'])).toBeUndefined();
    expect(nearest('ab', ['xy'])).toBeUndefined();
  });
});

describe('loading a valid config', () => {
  it('applies schema defaults deeply, treats null as {} and keeps ids and pipelines', async () => {
    const { config, warnings } = await loadConfig({ files: [path.join(FIXTURES, 'good.yaml')], registry: fixtureRegistry(), env: { PG_PASSWORD: 'pw' } });
    expect(warnings).toEqual([]);
    const otlp = config.receivers.get('otlp')!;
    expect(otlp).toMatchObject({ id: 'otlp', type: 'otlp', name: '' });
    // `grpc:` with nothing enables gRPC with its defaults, as in the collector.
    expect(otlp.config.protocols.grpc).toEqual({ endpoint: '127.0.0.1:4317', max_recv_msg_size_mib: 4 });
    expect(otlp.config.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(config.receivers.get('otlp/internal')).toMatchObject({ type: 'otlp', name: 'internal', config: { protocols: {} } });
    expect(config.processors.get('batch')!.config).toEqual({ send_batch_size: 8192, timeout: '200ms' });
    expect(config.processors.get('batch/fast')!.config.timeout).toBe('50ms');
    // Exporters get the exporter helper settings, with the factory's queue defaults.
    const duck = config.exporters.get('duckdb')!.config;
    expect(duck.path).toBe('data/agentcol.duckdb');
    expect(duck.sending_queue).toEqual({ enabled: true, num_consumers: 1, queue_size: 1000 });
    expect(duck.retry_on_failure.max_elapsed_time).toBe('300s');
    expect(duck.timeout).toBe('5s');
    expect(config.exporters.get('postgres')!.config).toMatchObject({ password: 'pw', embedded: { data_dir: 'data/pg' }, sending_queue: { num_consumers: 10 } });
    expect(config.extensions.get('health_check')!.config).toEqual({ endpoint: '127.0.0.1:13133', path: '/' });
    expect(config.service.extensions).toEqual(['health_check']);
    expect(config.service.pipelines).toEqual([
      { id: 'traces', signal: 'traces', receivers: ['otlp', 'otlp/internal'], processors: ['batch'], exporters: ['duckdb', 'postgres'] },
      { id: 'logs/audit', signal: 'logs', receivers: ['otlp'], processors: ['batch/fast'], exporters: ['postgres', 'debug'] },
      { id: 'metrics', signal: 'metrics', receivers: ['otlp'], processors: [], exporters: ['duckdb'] },
    ]);
    expect(config.service.telemetry).toEqual({ logs: { level: 'info' }, metrics: { address: '127.0.0.1:8888', level: 'normal' } });
    expect(config.file).toBe(path.join(FIXTURES, 'good.yaml'));
    expect(config.plugins).toEqual([]);
  });

  it('warns about components that are defined but not used', async () => {
    const r = await load(`
receivers:
  otlp:
  otlp/spare:
exporters:
  debug:
  duckdb:
extensions:
  health_check:
${PIPELINE}`);
    expect(warningsOf(r)).toEqual([
      'config/agent.yaml:4:3: receivers.otlp/spare: receiver is defined but not used in any pipeline; it will not run',
      'config/agent.yaml:7:3: exporters.duckdb: exporter is defined but not used in any pipeline; it will not run',
      'config/agent.yaml:9:3: extensions.health_check: extension is defined but not listed in service.extensions; it will not run',
    ]);
  });

  it('supports anchors, aliases and << merge keys', async () => {
    const { config } = await load(`
exporters:
  duckdb: &store
    flush_interval: 2s
  duckdb/b:
    <<: *store
    path: b.db
receivers: { otlp: }
service:
  pipelines:
    traces: { receivers: [otlp], exporters: [duckdb, duckdb/b] }
`);
    expect(config.exporters.get('duckdb/b')!.config).toMatchObject({ flush_interval: '2s', path: 'b.db' });
  });

  it('merges several files, later ones winning', async () => {
    const { config } = await loadConfig({
      files: [path.join(FIXTURES, 'good.yaml'), path.join(FIXTURES, 'override.yaml')],
      registry: fixtureRegistry(),
      env: { PG_PASSWORD: 'x' },
    });
    expect(config.exporters.get('debug')!.config.verbosity).toBe('basic');
    expect(config.receivers.get('otlp')!.config.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(config.service.telemetry.logs.level).toBe('debug');
  });
});

describe('config errors', () => {
  it('reports every error of a bad file with FILE:LINE:COL, key path and hints', async () => {
    let err: ConfigError | undefined;
    try {
      await loadConfig({ files: [path.join(FIXTURES, 'bad.yaml')], registry: fixtureRegistry(), env: {} });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.errors.map((e) => formatIssue(e, ROOT))).toEqual([
      'test/fixtures/configs/bad.yaml:5:19: receivers.otlp.protocols.grpc.endpoint: invalid endpoint "localhost": write "host:port", like "127.0.0.1:4317", ":4317" or "[::1]:4317"',
      'test/fixtures/configs/bad.yaml:6:7: receivers.otlp.protocols.htp: unknown key "htp" — did you mean "http"?',
      'test/fixtures/configs/bad.yaml:9:22: processors.batch.send_batch_size: expected an integer, got string "lots"',
      'test/fixtures/configs/bad.yaml:10:14: processors.batch.timeout: invalid duration "5 seconds": use a number and a unit (ns, us, ms, s, m, h, d), like "200ms", "5s", "1m30s" or "30d"',
      'test/fixtures/configs/bad.yaml:13:5: exporters.duckdb.pth: unknown key "pth" — did you mean "path"?',
      'test/fixtures/configs/bad.yaml:14:19: exporters.duckdb.memory_limit: invalid size "2 gigs": use a number of bytes or a unit (KiB, MiB, GiB, KB, MB, GB), like "512KiB"',
      'test/fixtures/configs/bad.yaml:16:16: exporters.debug.verbosity: must be one of "basic", "normal", "detailed", got string "detaild" — did you mean "detailed"?',
      'test/fixtures/configs/bad.yaml:17:3: exporters.batch: "batch" is a processor, not an exporter: move it under processors',
      'test/fixtures/configs/bad.yaml:21:5: service.pipelines.trace: unknown signal "trace" in pipeline id "trace" — did you mean "traces"? (pipelines are traces, logs or metrics, optionally with /name)',
      'test/fixtures/configs/bad.yaml:26:27: service.pipelines.logs.processors[1]: processor "batchh" is not defined under processors — did you mean "batch"?',
      'test/fixtures/configs/bad.yaml:27:19: service.pipelines.logs.exporters[0]: exporter "zipkin" does not support logs (zipkin supports traces)',
      'test/fixtures/configs/bad.yaml:27:27: service.pipelines.logs.exporters[1]: exporter "postgres" is not defined under exporters (defined: duckdb, debug, batch, zipkin)',
      'test/fixtures/configs/bad.yaml:28:5: service.pipelines.metrics: a pipeline needs at least one exporter: add exporters: [...]',
    ]);
    expect(err!.message).toMatch(/^invalid configuration \(13 errors\):/);
  });

  it('unknown keys without a close match list the valid keys', async () => {
    expect(await errors(`receivers: { otlp: }\nexporters:\n  debug:\n    colour: red\n${PIPELINE}`)).toEqual([
      'config/agent.yaml:4:5: exporters.debug.colour: unknown key "colour" (valid keys: verbosity, sending_queue, retry_on_failure, timeout)',
    ]);
  });

  it('unknown keys in the exporter helper settings and the top level', async () => {
    expect(await errors(`recievers: {}\nreceivers: { otlp: }\nexporters:\n  debug:\n    sending_queue:\n      queue_sise: 10\n${PIPELINE}`)).toEqual([
      'config/agent.yaml:1:1: recievers: unknown top-level key "recievers" — did you mean "receivers"? (valid keys: plugins, receivers, processors, exporters, connectors, extensions, service)',
      'config/agent.yaml:6:7: exporters.debug.sending_queue.queue_sise: unknown key "queue_sise" — did you mean "queue_size"?',
    ]);
  });

  it('unknown component types, with and without a close match', async () => {
    expect(await errors(`receivers:\n  otlpp:\n  kafka:\nexporters: { debug: }\n${PIPELINE}`)).toEqual([
      'config/agent.yaml:2:3: receivers.otlpp: unknown receiver type "otlpp" — did you mean "otlp"?',
      'config/agent.yaml:3:3: receivers.kafka: unknown receiver type "kafka" (known receiver types: filelog, otlp); if it comes from a plugin, list the package under plugins:',
      'config/agent.yaml:9:19: service.pipelines.traces.receivers[0]: receiver "otlp" is not defined under receivers — did you mean "otlpp"?',
    ]);
  });

  it('bad component ids and value types, missing required keys, normalize() errors', async () => {
    expect(
      await errors(`
receivers:
  otlp/:
  filelog:
exporters:
  debug:
  otlp:
    headers: [a, b]
    tls: { insecure: "yes" }
processors:
  batch:
    send_batch_size: 13
${PIPELINE}`),
    ).toEqual([
      'config/agent.yaml:3:3: receivers.otlp/: invalid receiver id "otlp/": write type or type/name, where type starts with a letter and has only letters, digits and _ (like "otlp" or "otlp/internal")',
      'config/agent.yaml:4:3: receivers.filelog: missing required key "include"',
      'config/agent.yaml:7:3: exporters.otlp: missing required key "endpoint"',
      'config/agent.yaml:8:14: exporters.otlp.headers: expected a map, got a list',
      'config/agent.yaml:9:22: exporters.otlp.tls.insecure: expected a boolean (true or false), got string "yes"',
      'config/agent.yaml:12:5: processors.batch: send_batch_size must not be 13 (normalize check)',
      'config/agent.yaml:17:19: service.pipelines.traces.receivers[0]: receiver "otlp" is not defined under receivers — did you mean "otlp/"?',
    ]);
  });

  it('the service section: missing, empty pipelines, unknown keys, duplicates, extensions', async () => {
    expect(await errors('receivers: { otlp: }\nexporters: { debug: }\n')).toEqual([
      'config/agent.yaml:1:1: missing the service section: add service.pipelines, like "service:\\n  pipelines:\\n    traces:\\n      receivers: [otlp]\\n      exporters: [debug]"',
    ]);
    expect(await errors('receivers: { otlp: }\nexporters: { debug: }\nservice:\n  pipelines: {}\n')).toEqual([
      'config/agent.yaml:4:14: service.pipelines: at least one pipeline is required, like "pipelines:\\n  traces:\\n    receivers: [otlp]\\n    exporters: [debug]"',
    ]);
    expect(
      await errors(`
receivers: { otlp: }
exporters: { debug: }
extensions: { health_check: }
service:
  extension: [health_check]
  extensions: [health_chek]
  pipelines:
    traces:
      receivers: [otlp, otlp]
      exporter: [debug]
    metrics/x:
    profiles:
      receivers: [otlp]
      exporters: [debug]
`),
    ).toEqual([
      'config/agent.yaml:6:3: service.extension: unknown key "extension" — did you mean "extensions"? (valid keys: extensions, pipelines, telemetry)',
      'config/agent.yaml:7:16: service.extensions[0]: extension "health_chek" is not defined under extensions — did you mean "health_check"?',
      'config/agent.yaml:9:5: service.pipelines.traces: a pipeline needs at least one exporter: add exporters: [...]',
      'config/agent.yaml:10:25: service.pipelines.traces.receivers[1]: receiver "otlp" is listed twice',
      'config/agent.yaml:11:7: service.pipelines.traces.exporter: unknown key "exporter" — did you mean "exporters"? (valid keys: receivers, processors, exporters)',
      'config/agent.yaml:12:5: service.pipelines.metrics/x: a pipeline needs at least one receiver: add receivers: [...]',
      'config/agent.yaml:12:5: service.pipelines.metrics/x: a pipeline needs at least one exporter: add exporters: [...]',
      'config/agent.yaml:13:5: service.pipelines.profiles: profiles pipelines are not supported by agentcol (pipelines are traces, logs or metrics, optionally with /name)',
    ]);
  });

  it('connectors are a clear error', async () => {
    expect(await errors(`connectors:\n  spanmetrics:\nreceivers: { otlp: }\nexporters: { debug: }\n${PIPELINE}`)).toEqual([
      'config/agent.yaml:2:3: connectors: connectors are not supported by agentcol yet: use one pipeline per signal, or run an OpenTelemetry Collector in front for connectors',
    ]);
  });

  it('YAML syntax errors and duplicate keys point at the line', async () => {
    expect(await errors('receivers:\n  otlp:\n   - a\n  b: [\n')).toEqual([expect.stringMatching(/^config\/agent\.yaml:\d+:\d+: YAML syntax: /)]);
    const dup = await errors('receivers:\n  otlp:\n  otlp:\n');
    expect(dup).toEqual(['config/agent.yaml:3:3: receivers.otlp: duplicate key "otlp" (first at line 2): YAML keys must be unique']);
    expect(await errors('')).toEqual(['the config is empty: define receivers, exporters and service.pipelines']);
  });

  it('a missing file says so', async () => {
    await expect(loadConfig({ files: ['/nope/agent.yaml'], registry: fixtureRegistry() })).rejects.toThrow('cannot read config file /nope/agent.yaml: no such file');
  });
});

describe('${env:...} expansion', () => {
  const yaml = (exporters: string) => `receivers: { otlp: }\nexporters:\n${exporters}\n${PIPELINE.replace('[debug]', '[otlp]')}`;

  it('expands variables, defaults and $$, keeping the text around them', async () => {
    const { config, warnings } = await load(
      yaml(`  otlp:
    endpoint: \${env:OTLP_HOST}:\${env:OTLP_PORT:-4317}
    headers:
      authorization: "Bearer \${env:TOKEN}"
      literal: "cost $$5 and $\${env:TOKEN} and a lone $ sign"
      legacy: \${TOKEN}
      empty_default: "\${env:EMPTY:-fallback}"
      unset_default: "\${env:UNSET_X:-fallback}"`),
      { OTLP_HOST: 'gw.internal', TOKEN: 'abc', EMPTY: '' },
    );
    expect(config.exporters.get('otlp')!.config.endpoint).toBe('gw.internal:4317');
    expect(config.exporters.get('otlp')!.config.headers).toEqual({
      authorization: 'Bearer abc',
      literal: 'cost $5 and ${env:TOKEN} and a lone $ sign',
      legacy: 'abc',
      empty_default: '', // the default applies only when the variable is unset, as in the collector
      unset_default: 'fallback',
    });
    expect(warnings).toEqual([]);
  });

  it('an unset variable without a default expands to "" with a warning naming it', async () => {
    const r = await load(yaml(`  otlp:\n    endpoint: gw:4317\n    headers: { x-tenant: "\${env:TENANT}" }`));
    expect(r.config.exporters.get('otlp')!.config.headers['x-tenant']).toBe('');
    expect(warningsOf(r)).toEqual(['config/agent.yaml:5:26: exporters.otlp.headers.x-tenant: environment variable TENANT is not set; ${env:TENANT} expands to an empty string']);
  });

  it('a whole-value reference is typed like YAML, except where the schema wants a string', async () => {
    const { config } = await load(
      `receivers: { otlp: }\nprocessors:\n  batch:\n    send_batch_size: \${env:N}\n    timeout: \${env:T}\nexporters:\n  postgres:\n    password: \${env:PIN}\n  otlp:\n    endpoint: x:1\n    tls:\n      insecure: \${env:INSECURE}\n${PIPELINE.replace('[debug]', '[postgres, otlp]')}`,
      { N: '512', T: '250', PIN: '007', INSECURE: 'true' },
    );
    expect(config.processors.get('batch')!.config).toEqual({ send_batch_size: 512, timeout: 250 });
    expect(config.exporters.get('postgres')!.config.password).toBe('007');
    expect(config.exporters.get('otlp')!.config.tls.insecure).toBe(true);
  });

  it('a re-typed value that still does not fit is an error at the right place', async () => {
    expect(await errors(`receivers: { otlp: }\nprocessors:\n  batch:\n    send_batch_size: \${env:N}\nexporters: { debug: }\n${PIPELINE}`, { N: 'many' })).toEqual([
      'config/agent.yaml:4:22: processors.batch.send_batch_size: expected an integer, got string "many"',
    ]);
  });

  it('other providers and bad names are errors; keys are never expanded', async () => {
    expect(
      await errors(
        yaml(`  otlp:\n    endpoint: \${file:/run/secrets/ep}\n    headers:\n      a: \${env:BAD-NAME}\n      \${env:K}: v\n      b: \${env:X:y}`),
        { K: 'key' },
      ),
    ).toEqual([
      'config/agent.yaml:4:15: exporters.otlp.endpoint: ${file:/run/secrets/ep}: unsupported config provider "file" — agentcol expands only ${env:NAME} and ${env:NAME:-default} (write $$ for a literal $)',
      'config/agent.yaml:4:15: exporters.otlp.endpoint: must not be empty',
      'config/agent.yaml:6:10: exporters.otlp.headers.a: ${env:BAD-NAME}: "BAD-NAME" is not a valid environment variable name (letters, digits and _, not starting with a digit)',
      'config/agent.yaml:8:10: exporters.otlp.headers.b: ${env:X:y}: malformed reference — write ${env:NAME} or ${env:NAME:-default} (and $$ for a literal $)',
    ]);
  });
});

describe('service.telemetry', () => {
  const withTelemetry = (t: string) => `receivers: { otlp: }\nexporters: { debug: }\n${PIPELINE}  telemetry:\n${t}`;

  it('accepts the collector metrics.readers form', async () => {
    const { config } = await load(withTelemetry('    metrics:\n      readers:\n        - pull:\n            exporter:\n              prometheus:\n                host: 0.0.0.0\n                port: 9999\n'));
    expect(config.service.telemetry.metrics).toEqual({ address: '0.0.0.0:9999', level: 'normal' });
  });

  it('address, level none and upper-case log levels', async () => {
    const a = await load(withTelemetry('    logs: { level: DEBUG }\n    metrics: { address: ":9100", level: detailed }\n'));
    expect(a.config.service.telemetry).toEqual({ logs: { level: 'debug' }, metrics: { address: ':9100', level: 'detailed' } });
    const b = await load(withTelemetry('    metrics: { level: none }\n'));
    expect(b.config.service.telemetry.metrics).toEqual({ address: null, level: 'none' });
  });

  it('collector keys agentcol does not implement are warnings; unknown keys are errors', async () => {
    const r = await load(withTelemetry('    resource: { service.name: agentcol }\n    traces: { level: basic }\n    logs: { encoding: json }\n'));
    expect(warningsOf(r)).toEqual([
      'config/agent.yaml:10:5: service.telemetry.resource: not supported by agentcol; ignored',
      'config/agent.yaml:11:5: service.telemetry.traces: not supported by agentcol; ignored',
      'config/agent.yaml:12:13: service.telemetry.logs.encoding: not supported by agentcol; ignored',
    ]);
    expect(await errors(withTelemetry('    metrics: { adress: "x:1" }\n    logs: { level: verbose }\n'))).toEqual([
      'config/agent.yaml:10:16: service.telemetry.metrics.adress: unknown key "adress" — did you mean "address"?',
      'config/agent.yaml:11:20: service.telemetry.logs.level: must be one of "debug", "info", "warn", "error", got string "verbose"',
    ]);
  });
});

describe('shipped configs', () => {
  /** The distribution's built-ins, with fixture stand-ins for those not written yet. */
  async function distributionRegistry() {
    const { components } = await import('../../distributions/agentcol/manifest.ts');
    const { FactoryRegistry } = await import('../../core/registry.ts');
    const { fixtureFactories } = await import('../fixtures/factories.ts');
    const r = new FactoryRegistry();
    for (const f of components) r.register(f);
    for (const f of fixtureFactories) if (!r.get(f.kind, f.type)) r.register(f, 'fixture');
    return r;
  }

  it('a plain OpenTelemetry Collector config validates unchanged', async () => {
    const registry = await distributionRegistry();
    const r = await loadConfig({ files: [path.join(ROOT, 'config/examples/otel-collector.yaml')], registry, env: {} });
    expect(r.config.exporters.get('otlp')!.config.endpoint).toBe('otel-gateway.observability.svc:4317');
    expect(r.config.service.telemetry).toEqual({ logs: { level: 'info' }, metrics: { address: '0.0.0.0:8888', level: 'normal' } });
    expect(r.warnings).toEqual([]);
  });

  it('retention_check_interval must be longer than 0 when retention is set (it would run every millisecond)', async () => {
    const registry = await distributionRegistry();
    const yaml = (exporter: string, interval: string) =>
      `receivers: {otlp: {protocols: {http: {endpoint: "127.0.0.1:4318"}}}}\n` +
      `exporters: {${exporter}: {retention: 30d, retention_check_interval: ${interval}}}\n` +
      `service: {pipelines: {traces: {receivers: [otlp], exporters: [${exporter}]}}}\n`;
    for (const exporter of ['postgres', 'clickhouse', 'duckdb']) {
      const err = await loadConfigText(yaml(exporter, '0s'), 'agent.yaml', { registry, env: {} }).then(() => undefined, (e: Error) => e);
      expect(err?.message, exporter).toContain(`exporters.${exporter}: retention_check_interval must be longer than 0 (got "0s")`);
      await expect(loadConfigText(yaml(exporter, '10m'), 'agent.yaml', { registry, env: {} })).resolves.toBeDefined();
    }
  });

  it('config/default.yaml and the plugin example validate', async () => {
    const d = await loadConfig({ files: [path.join(ROOT, 'config/default.yaml')], registry: await distributionRegistry(), env: {} });
    expect(d.config.service.pipelines.map((p) => p.id)).toEqual(['traces', 'logs', 'metrics']);
    expect(d.config.service.telemetry.metrics.address).toBe('127.0.0.1:8888');
    const p = await loadConfig({ files: [path.join(ROOT, 'config/examples/plugin.yaml')], registry: await distributionRegistry(), env: {} });
    expect(p.config.processors.get('tag')!.config.attributes).toEqual({ 'deployment.environment': 'dev', team: 'agents' });
  });
});
