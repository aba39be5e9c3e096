// A config file parsed into plain values plus the place of every key and value, so that the
// validator, working on plain values, can still say `FILE:LINE:COL`. Several files merge the way
// the collector merges repeated --config flags: maps deep-merge, later files win, lists are replaced.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue, KeyPath, Pos } from './issues.ts';

/** Positions by key path: `key` is where the key is written, `value` where its value starts. */
export class Locations {
  private map = new Map<string, { key?: Pos; value?: Pos }>();

  set(p: KeyPath, kind: 'key' | 'value', pos: Pos): void {
    const k = JSON.stringify(p);
    const e = this.map.get(k) ?? {};
    e[kind] = pos;
    this.map.set(k, e);
  }

  /** The position of `p` (its key or its value, as preferred), else of its nearest ancestor. */
  find(p: KeyPath, prefer: 'key' | 'value' = 'value'): Pos | undefined {
    for (let n = p.length; n >= 0; n--) {
      const e = this.map.get(JSON.stringify(p.slice(0, n)));
      if (!e) continue;
      const pos = prefer === 'key' ? (e.key ?? e.value) : (e.value ?? e.key);
      if (pos) return pos;
    }
    return undefined;
  }

  /** Drops every position at or under `p` (before a later file replaces that subtree). */
  deleteUnder(p: KeyPath): void {
    if (p.length === 0) return this.map.clear();
    const prefix = JSON.stringify(p).slice(0, -1);
    for (const k of this.map.keys()) if (k === prefix + ']' || k.startsWith(prefix + ',')) this.map.delete(k);
  }

  addAll(other: Locations): void {
    for (const [k, v] of other.map) this.map.set(k, { ...this.map.get(k), ...v });
  }
}

export interface ConfigSource {
  /** Absolute paths of the files, in order. */
  files: string[];
  value: unknown;
  locations: Locations;
  /** Values that were exactly `${env:X}` and re-typed as YAML (a number, a bool...): the text as
   * it was, for fields that want a string (see env.ts). Keyed by JSON.stringify(path). */
  rawStrings: Map<string, string>;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Assigns without ever touching the prototype (a YAML key may be "__proto__"). */
export function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

export async function readConfigFile(file: string, issues: ConfigIssue[]): Promise<ConfigSource | undefined> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    issues.push({ severity: 'error', path: [], message: `cannot read config file ${file}: ${why}` });
    return undefined;
  }
  return parseConfigText(text, abs, issues);
}

export function parseConfigText(text: string, file: string, issues: ConfigIssue[]): ConfigSource | undefined {
  const lineCounter = new LineCounter();
  // Duplicate keys are reported by the walker, with the key's position and the first one's line.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const posAt = (offset: number): Pos => ({ file, ...lineCounter.linePos(offset) });
  let failed = false;
  for (const e of doc.errors) {
    failed = true;
    issues.push({ severity: 'error', path: [], pos: posAt(e.pos[0]), message: `YAML syntax: ${yamlMessage(e.message)}` });
  }
  if (failed) return undefined;
  const locations = new Locations();
  const walker = new Walker(doc, posAt, locations, issues);
  const before = issues.length;
  const value = doc.contents ? walker.toValue(doc.contents as Node, []) : null;
  if (issues.length > before) return undefined;
  return { files: [file], value, locations, rawStrings: new Map() };
}

/** yaml's messages end with a code excerpt; the position is already in our prefix. */
function yamlMessage(m: string): string {
  return m.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

class Walker {
  private stack = new Set<Node>();
  constructor(
    private doc: Document,
    private posAt: (offset: number) => Pos,
    private locations: Locations,
    private issues: ConfigIssue[],
  ) {}

  toValue(node: Node, p: KeyPath): unknown {
    if (node.range) this.locations.set(p, 'value', this.posAt(node.range[0]));
    if (isAlias(node)) {
      const target = node.resolve(this.doc) as Node | undefined;
      if (!target || this.stack.has(target)) {
        this.issues.push({ severity: 'error', path: p, pos: this.posAt(node.range![0]), message: `alias *${node.source} refers to an unknown or enclosing anchor` });
        return null;
      }
      this.stack.add(target);
      try {
        return this.toValue(target, p);
      } finally {
        this.stack.delete(target);
      }
    }
    if (isScalar(node)) return node.value;
    if (isSeq(node)) return node.items.map((item, i) => (item == null ? null : this.toValue(item as Node, [...p, i])));
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      const merges: Node[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        if (keyNode && !isScalar(keyNode)) {
          this.issues.push({ severity: 'error', path: p, pos: keyNode.range ? this.posAt(keyNode.range[0]) : undefined, message: 'map keys must be plain strings' });
          continue;
        }
        const key = String(keyNode ? keyNode.value : '');
        // `<<: *anchor` merge keys, as go-yaml (and so the collector) supports them.
        if (key === '<<' && keyNode && (keyNode as { type?: string }).type === 'PLAIN' && pair.value) {
          merges.push(pair.value as Node);
          continue;
        }
        const kp = [...p, key];
        const keyPos = keyNode?.range ? this.posAt(keyNode.range[0]) : undefined;
        if (Object.hasOwn(obj, key)) {
          const first = this.locations.find(kp, 'key');
          this.issues.push({ severity: 'error', path: kp, pos: keyPos, message: `duplicate key "${key}"${first ? ` (first at line ${first.line})` : ''}: YAML keys must be unique` });
          continue;
        }
        if (keyPos) this.locations.set(kp, 'key', keyPos);
        setKey(obj, key, pair.value == null ? null : this.toValue(pair.value as Node, kp));
      }
      for (const m of merges) {
        const sources = isSeq(m) ? (m.items as Node[]) : [m];
        for (const s of sources) {
          const v = this.toValue(s, p);
          if (!isPlainObject(v)) {
            this.issues.push({ severity: 'error', path: p, pos: s.range ? this.posAt(s.range[0]) : undefined, message: '<< merge key needs a map or a list of maps' });
            continue;
          }
          for (const [k, val] of Object.entries(v)) if (!Object.hasOwn(obj, k)) setKey(obj, k, val);
        }
      }
      return obj;
    }
    return null;
  }
}

/** Deep-merges later sources into the first (maps merge, anything else is replaced). */
export function mergeSources(sources: ConfigSource[]): ConfigSource {
  const [first, ...rest] = sources;
  let value = first.value;
  const locations = new Locations();
  locations.addAll(first.locations);
  for (const s of rest) {
    value = mergeValue(value, s.value, [], locations);
    locations.addAll(s.locations);
  }
  return { files: sources.flatMap((s) => s.files), value, locations, rawStrings: new Map() };
}

function mergeValue(a: unknown, b: unknown, p: KeyPath, locations: Locations): unknown {
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) setKey(out, k, Object.hasOwn(a, k) ? mergeValue(a[k], v, [...p, k], locations) : v);
    return out;
  }
  if (b === null && isPlainObject(a)) return a; // `otlp:` in a later file keeps the earlier settings
  locations.deleteUnder(p);
  return b;
}
