// The redaction processor's results do not change when its code is made faster: every output
// (text, counts, changed) of redactString / redactText / redactTraces / redactLogs on the guards
// bench's payloads and on seeded random texts and JSON documents, under several configs, is compared
// with digests recorded from the code before the speed work (redaction.golden.json, 12 hex digits
// of SHA-256 per group of cases, so a failure names the group to look at).
//
// Re-record (only when a change of results is intended, and say so in the commit):
//   REDACTION_GOLDEN_WRITE=1 npx vitest run test/processors/redaction.golden.test.ts
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makePayloads } from '../../bench/guard-payloads.ts';
import type { LogsBatch, TracesBatch } from '../../core/signals/types.ts';
import { compileConfig } from '../../processors/redaction/config.ts';
import { redactLogs, redactTraces } from '../../processors/redaction/processor.ts';
import { redactString, redactText } from '../../processors/redaction/scan.ts';
import { prng } from '../helpers/random.ts';

const FILE = new URL('./redaction.golden.json', import.meta.url);
const HASH_KEY = 'a-hash-key-of-at-least-16-bytes';

const CONFIGS: Record<string, unknown> = {
  default: {},
  operators: {
    operators: { EMAIL_ADDRESS: 'hash', PHONE_NUMBER: 'mask', CREDIT_CARD: 'mask', IBAN: 'mask', PERSON: 'drop', IP_ADDRESS: 'hash' },
    hash_key: HASH_KEY,
    allow_list: ['support@example.com', 'Jane Doe'],
  },
  mask: { default_operator: 'mask', secret_min_length: 8, secret_min_entropy: 2.5 },
  subset: { entities: ['PERSON', 'STREET_ADDRESS', 'PRIVATE_KEY', 'IBAN', 'GENERIC_SECRET', 'DATE_OF_BIRTH'], ignored_keys: ['notes'] },
  plain: { json: false, default_operator: 'drop' },
};

const FRAGMENTS = [
  'jane.doe@example.com', 'Support@Example.com', 'a\u200B@example.com', 'x@y', 'first.last+tag@mail.example.org', 'müller@bücher.de',
  '+44 20 7946 0958', '(212) 555-0199', '212-555-0199', '020 7946 0958', '030 12345678', '01 23 45 67 89', 'phone: 4155550132', 'Tel. +49 (0)30 1234567',
  '4111 1111 1111 1111', '5500-0000-0000-0004', '378282246310005', '4111111111111112', '０１２３４５６７８９', '4111\u200B1111 1111 1111',
  'DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432', 'de89370400440532013000', '10.0.0.1', '192.168.1.254', '256.1.1.1', '1.2.3.4.5', 'fe80::1%eth0', '::1',
  '2001:db8::8a2e:370:7334', '::ffff:10.0.0.1', 'a::b', '12:30:45.123', '2026-03-04T12:30:45.123Z', 'SSN 123-45-6789', '123 45 6789', 'ssn: 123456789', '000-12-3456',
  'DOB: 12/03/1985', 'born on 3 March 1990', 'Geburtsdatum 01.02.1980', 'passport no. X1234567', 'Reisepass C01X00T47', 'AB 12 34 56 C', 'QQ123456C',
  'Personalausweis T22000129', 'ID card number L01X00T471', '1 84 12 76 451 089 46', '2 69 05 2A 123 456 78', '2345 6789 0124', 'Aadhaar 234567890124', 'ABCPE1234F',
  '221B Baker Street', '1600 Pennsylvania Avenue NW, Apt 4', '10 Downing St.', 'Hauptstraße 12', 'Berliner Straße 5a', 'Lindenallee 5a', '12 rue de la Paix',
  '5 bis avenue Victor Hugo', 'My name is Jane Doe', 'Dear Mr. Smith', 'Dear Customer', 'Full name: Søren Nielsen', 'Kind regards,\nMaria Gonzalez', 'Mit freundlichen Grüßen\nLukas Müller',
  'je m’appelle José García', 'sk-proj-abcdEFGH1234ijklMNOP5678qrst', 'sk-ant-api03-abcdefghijklmnopqrstuvwx', 'AKIAIOSFODNN7EXAMPLE', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
  'xoxb-123456789012-abcdefghij', 'https://hooks.slack.com/services/T000/B000/XXXXXXXX', 'sk_live_abcdefghij1234567890', 'AIzaSyA-abcdefghijklmnopqrstuvwxyz12345',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig_abc-123', 'eyJub3QiOiJqd3QifQ.eyJ4IjoxfQ.abc',
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END RSA PRIVATE KEY-----', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq',
  'api_key=abcd1234efgh5678ijkl', 'API-KEY: "Zx9Qw3Er5Ty7Ui9Op1"', 'password=hunter22', "token='abc'", 'Authorization: Bearer abc.DEF-123_xyz~9',
  'postgres://admin:S3cr3tP4ss@db:5432/app', 'https://user:${env:PW}@host', 'enc:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '<EMAIL_ADDRESS:hmac:0123456789abcdef>',
  'e\u0301', '\u202Ebidi\u202C', 'ﬁle', 'İstanbul', 'ſtreet', '\u{1D400}\u{1D401}', 'Zoë', 'naïve café', '“quoted” — dash', 'order 12345678 shipped',
];
const GLUE = [' ', '  ', '\n', '\n\n', ', ', '. ', ':', '.', '-', '/', 'x', 'A', '7', '12', '12345678', 'É', '\u0301', '"', "'", '%', '@', '_', 'the ', 'St ', 'ring 5 ', ' place ', '://', '::', '\t', '\r\n'];

function fuzzText(r: () => number): string {
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)];
  let s = '';
  for (let i = 1 + Math.floor(r() * 8); i > 0; i--) {
    let f = pick(FRAGMENTS);
    const x = r();
    if (x < 0.1) f = f.toUpperCase();
    else if (x < 0.2) f = f.toLowerCase();
    if (r() < 0.2) {
      const cut = Math.floor(r() * f.length);
      f = f.slice(0, cut) + pick(GLUE) + f.slice(cut);
    }
    s += pick(GLUE) + f + (r() < 0.5 ? pick(GLUE) : '');
  }
  return s;
}

const KEYS = ['email', 'name', 'notes', 'api_key', 'password', 'db.password', 'content', 'arguments', 'x-api-key', 'phone', 'id'];

function fuzzJson(r: () => number, depth = 0): unknown {
  const x = r();
  if (depth > 2 || x < 0.35) return fuzzText(r);
  if (x < 0.45) return Math.floor(r() * 1e12);
  if (x < 0.5) return r() < 0.5 ? null : true;
  if (x < 0.6) return JSON.stringify(fuzzJson(r, depth + 1)); // JSON in a JSON string (tool arguments)
  if (x < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => fuzzJson(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) o[KEYS[Math.floor(r() * KEYS.length)]] = fuzzJson(r, depth + 1);
  return o;
}

/** The inputs, in groups (each group one digest). */
function cases(): Array<{ name: string; inputs: Array<{ text: string; key?: string; json: boolean }> }> {
  const groups: Array<{ name: string; inputs: Array<{ text: string; key?: string; json: boolean }> }> = [];
  for (const p of makePayloads({ variants: 2 })) groups.push({ name: `payload ${p.kind}/${p.size}`, inputs: [{ text: p.text, json: true }] });
  const r = prng(20261123);
  for (let g = 0; g < 40; g++) {
    const inputs = [];
    for (let i = 0; i < 25; i++) inputs.push({ text: fuzzText(r), key: r() < 0.3 ? KEYS[Math.floor(r() * KEYS.length)] : undefined, json: false });
    groups.push({ name: `text ${g}`, inputs });
  }
  for (let g = 0; g < 30; g++) {
    const inputs = [];
    for (let i = 0; i < 10; i++) {
      const v = fuzzJson(r);
      const text = typeof v === 'string' ? v : JSON.stringify(v, null, r() < 0.3 ? 2 : undefined);
      inputs.push({ text, json: true });
    }
    groups.push({ name: `json ${g}`, inputs });
  }
  return groups;
}

/** A traces and a logs batch carrying fuzz values in every place the pipeline role scans. */
function batches(r: () => number): { traces: TracesBatch; logs: LogsBatch } {
  const attrs = () => {
    const a: Record<string, unknown> = {};
    for (let i = Math.floor(r() * 5); i > 0; i--) a[KEYS[Math.floor(r() * KEYS.length)]] = r() < 0.7 ? fuzzText(r) : r() < 0.5 ? JSON.stringify(fuzzJson(r)) : Math.floor(r() * 1e12);
    a['redaction.count.EMAIL_ADDRESS'] = 1;
    return a as TracesBatch['resourceSpans'][0]['scopeSpans'][0]['spans'][0]['attributes'];
  };
  const spans = Array.from({ length: 30 }, (_, i) => ({
    traceId: '0'.repeat(31) + (i % 10), spanId: '0'.repeat(15) + (i % 10), traceState: '', parentSpanId: '', flags: 1, name: fuzzText(r), kind: 1,
    startTimeUnixNano: 1n, endTimeUnixNano: 2n, attributes: attrs(), droppedAttributesCount: 0,
    events: [{ timeUnixNano: 1n, name: fuzzText(r), attributes: attrs(), droppedAttributesCount: 0 }], droppedEventsCount: 0,
    links: [{ traceId: '1'.repeat(32), spanId: '1'.repeat(16), traceState: '', attributes: attrs(), droppedAttributesCount: 0, flags: 0 }], droppedLinksCount: 0,
    status: { code: 2, message: fuzzText(r) },
  }));
  const records = Array.from({ length: 30 }, (_, i) => ({
    timeUnixNano: BigInt(i), observedTimeUnixNano: BigInt(i), severityNumber: 9, severityText: 'INFO',
    body: i % 3 === 0 ? fuzzText(r) : i % 3 === 1 ? JSON.stringify(fuzzJson(r)) : { msg: fuzzText(r), list: [fuzzText(r), 12345678901] },
    attributes: attrs(), droppedAttributesCount: 0, flags: 0, traceId: '', spanId: '', eventName: '',
  }));
  const resource = { attributes: { 'service.name': 'svc', owner: 'jane.doe@example.com' }, droppedAttributesCount: 0 };
  const scope = { name: 's', version: '', attributes: {}, droppedAttributesCount: 0 };
  return {
    traces: { resourceSpans: [{ resource, scopeSpans: [{ scope, spans, schemaUrl: '' }], schemaUrl: '' }] } as unknown as TracesBatch,
    logs: { resourceLogs: [{ resource: structuredClone(resource), scopeLogs: [{ scope, logRecords: records, schemaUrl: '' }], schemaUrl: '' }] } as unknown as LogsBatch,
  };
}

const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))).digest('hex').slice(0, 12);

function compute(): Record<string, string> {
  const out: Record<string, string> = {};
  const groups = cases();
  for (const [cname, raw] of Object.entries(CONFIGS)) {
    const cfg = compileConfig(raw);
    for (const g of groups) out[`${cname} | ${g.name}`] = digest(g.inputs.map((x) => (x.json ? redactString(x.text, cfg, x.key) : redactText(x.text, cfg, x.key))));
    const r = prng(99);
    for (let b = 0; b < 4; b++) {
      const { traces, logs } = batches(r);
      const tc = redactTraces(traces, { ...cfg, includeResource: b % 2 === 1 });
      const lc = redactLogs(logs, { ...cfg, includeResource: b % 2 === 1 });
      out[`${cname} | batches ${b}`] = digest([traces, tc, logs, lc]);
    }
  }
  return out;
}

describe('redaction: results identical to the recorded ones', () => {
  it('on the bench payloads, seeded random texts, JSON documents and batches, under five configs', () => {
    const got = compute();
    if (process.env.REDACTION_GOLDEN_WRITE === '1') writeFileSync(FILE, JSON.stringify(got, null, 1) + '\n');
    const want = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, string>;
    const differ = Object.keys(want).filter((k) => got[k] !== want[k]);
    expect(differ, 'groups whose results changed').toEqual([]);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  }, 120_000);
});
