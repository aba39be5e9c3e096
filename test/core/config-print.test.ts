import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FactoryRegistry } from '../../core/registry.ts';
import { components } from '../../distributions/agentcol/manifest.ts';
import { parse } from 'yaml';
import { buildConfigJsonSchema } from '../../core/config/json-schema.ts';
import { loadConfigText } from '../../core/config/load.ts';
import { looksSecret, printConfigYaml, redactInlineSecrets } from '../../core/config/print.ts';
import { fixtureRegistry } from '../fixtures/factories.ts';

const CONFIG = `
receivers:
  otlp:
    protocols:
      grpc:
exporters:
  postgres:
    endpoint: db:5432
    password: \${env:PG_PASSWORD}
    dsn: postgres://agent:hunter2@db:5432/agentcol
  otlp:
    endpoint: gw:4317
    headers:
      Authorization: Bearer secret-token
      x-api-key: k-1
      x-tenant: acme
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [postgres, otlp]
`;

describe('print-config', () => {
  it('prints the resolved config with defaults and masks every secret', async () => {
    const registry = fixtureRegistry();
    const { config } = await loadConfigText(CONFIG, '/x/agent.yaml', { registry, env: { PG_PASSWORD: 'pw-123' } });
    const text = printConfigYaml(config, registry);
    expect(text).not.toMatch(/pw-123|hunter2|secret-token|k-1/);
    const printed = parse(text);
    expect(printed.exporters.postgres).toMatchObject({ password: '[REDACTED]', dsn: '[REDACTED]', endpoint: 'db:5432', embedded: { data_dir: 'data/pg' } });
    expect(printed.exporters.otlp.headers).toEqual({ Authorization: '[REDACTED]', 'x-api-key': '[REDACTED]', 'x-tenant': 'acme' });
    expect(printed.exporters.otlp.sending_queue).toEqual({ enabled: true, num_consumers: 10, queue_size: 1000 });
    expect(printed.receivers.otlp.protocols.grpc).toEqual({ endpoint: '127.0.0.1:4317', max_recv_msg_size_mib: 4 });
    expect(printed.service.pipelines.traces).toEqual({ receivers: ['otlp'], processors: [], exporters: ['postgres', 'otlp'] });
    expect(printed.service.telemetry).toEqual({ logs: { level: 'info' }, metrics: { level: 'normal', address: '127.0.0.1:8888' } });
    expect(text).toContain('receivers: [ otlp ]');
  });

  it('recognizes secret-looking keys and inline passwords', () => {
    for (const k of ['password', 'api_key', 'x-api-key', 'Authorization', 'token', 'client_secret', 'key', 'private_key']) expect(looksSecret(k), k).toBe(true);
    for (const k of ['key_file', 'endpoint', 'max_tokens', 'keys', 'tenant']) expect(looksSecret(k), k).toBe(false);
    expect(redactInlineSecrets('postgres://u:p%40ss@h/db')).toBe('postgres://u:[REDACTED]@h/db');
    expect(redactInlineSecrets('host=db user=u password=s3cret dbname=x')).toBe('host=db user=u password=[REDACTED] dbname=x');
    expect(redactInlineSecrets('http://host:4318/v1')).toBe('http://host:4318/v1');
  });
});

// A deliberately small JSON Schema checker (the keywords agentcol's schema uses), to show the
// emitted schema accepts real configs and rejects what agentcol rejects.
function check(v: any, s: any, p = '$'): string[] {
  if (s === true || s === undefined) return [];
  if (s === false) return [`${p}: not allowed`];
  const errs: string[] = [];
  const typeOf = (x: any) => (x === null ? 'null' : Array.isArray(x) ? 'array' : Number.isInteger(x) ? 'integer' : typeof x);
  if (s.anyOf && !s.anyOf.some((b: any) => check(v, b, p).length === 0)) errs.push(`${p}: matches no anyOf branch`);
  if (s.type) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const t = typeOf(v);
    if (!types.some((w: string) => w === t || (w === 'number' && t === 'integer'))) return [...errs, `${p}: expected ${types}`];
  }
  if (s.enum && !s.enum.includes(v)) errs.push(`${p}: not in enum`);
  if (s.pattern && typeof v === 'string' && !new RegExp(s.pattern, 'u').test(v)) errs.push(`${p}: pattern`);
  if (s.minItems !== undefined && Array.isArray(v) && v.length < s.minItems) errs.push(`${p}: minItems`);
  if (Array.isArray(v) && s.items) v.forEach((x, i) => errs.push(...check(x, s.items, `${p}[${i}]`)));
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const r of s.required ?? []) if (!(r in v)) errs.push(`${p}: missing ${r}`);
    if (s.maxProperties !== undefined && Object.keys(v).length > s.maxProperties) errs.push(`${p}: maxProperties`);
    for (const [k, x] of Object.entries(v)) {
      let matched = false;
      if (s.properties && k in s.properties) {
        matched = true;
        errs.push(...check(x, s.properties[k], `${p}.${k}`));
      }
      for (const [re, sub] of Object.entries(s.patternProperties ?? {})) {
        if (new RegExp(re, 'u').test(k)) {
          matched = true;
          errs.push(...check(x, sub, `${p}.${k}`));
        }
      }
      if (!matched && s.additionalProperties !== undefined) errs.push(...check(x, s.additionalProperties, `${p}.${k}`));
    }
  }
  return errs;
}

describe('agentcol schema', () => {
  const schema = JSON.parse(JSON.stringify(buildConfigJsonSchema(fixtureRegistry(), '0.1.0')));
  const config = parse(CONFIG);

  it('is draft 2020-12 JSON and accepts a valid config, env references included', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties.receivers.patternProperties)).toEqual(['^filelog(/\\S+)?$', '^otlp(/\\S+)?$']);
    expect(check(config, schema)).toEqual([]);
    const withEnv = parse(CONFIG.replace('endpoint: db:5432', 'endpoint: ${env:PG}').replace('grpc:', 'grpc:\n        max_recv_msg_size_mib: ${env:MIB}'));
    expect(check(withEnv, schema)).toEqual([]);
  });

  it('rejects unknown keys, unknown types, bad formats and misplaced components', () => {
    const bad = structuredClone(config);
    bad.exporters.postgres.pth = 'x';
    bad.exporters.kafka = {};
    bad.receivers.otlp.protocols.grpc = { endpoint: 'localhost' };
    bad.service.pipelines.logs = { receivers: ['otlp'], exporters: ['zipkin'] };
    bad.service.pipelines.trace = { receivers: ['otlp'], exporters: ['otlp'] };
    expect(check(bad, schema)).toEqual([
      '$.receivers.otlp.protocols.grpc.endpoint: matches no anyOf branch',
      '$.exporters.postgres.pth: not allowed',
      '$.exporters.kafka: not allowed',
      '$.service.pipelines.logs.exporters[0]: pattern',
      '$.service.pipelines.trace: not allowed',
    ]);
  });

  it('built from the distribution, accepts the shipped configs as written', () => {
    const registry = new FactoryRegistry();
    for (const f of components) registry.register(f);
    const full = JSON.parse(JSON.stringify(buildConfigJsonSchema(registry)));
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    for (const f of ['config/default.yaml', 'config/examples/otel-collector.yaml']) {
      expect(check(parse(readFileSync(path.join(root, f), 'utf8')), full), f).toEqual([]);
    }
  });
});
