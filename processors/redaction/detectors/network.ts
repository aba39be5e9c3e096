// IP_ADDRESS: IPv4 (dotted quad, each octet 0-255) and IPv6 (validated with node:net).
import { isIPv6 } from 'node:net';
import type { Match } from '../entities.ts';
import { numberWindows } from './digits.ts';
import { eachMatchInWindows, type Detector } from './util.ts';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
export const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g');
// Candidates: a run of hex digits, colons and dots (for ::ffff:1.2.3.4), with an optional zone.
export const IPV6 = /(?<![\w:.])[0-9A-Fa-f:.]{3,45}(?:%[0-9A-Za-z]{1,16})?(?![\w:])/g;

const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isHexColonDot = (c: number) => (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46;

/**
 * Where IPV4 can match: an IPv4 starts with a run of 1 to 3 digits followed by a dot and a digit,
 * a run not preceded by a word character or a dot (digits.ts, from the digit runs the number
 * patterns share). Windowed matching (util.ts) from those starts only.
 */
export function ipv4Windows(text: string): number[] {
  return numberWindows(text).ipv4;
}

/**
 * Where IPV6 can match and keep its match (an address holds a ':'): the run of hex digits, colons
 * and dots around each colon, from the run's start, when nothing the lookbehind excludes precedes
 * it. Each run is visited once, however many colons it holds.
 */
export function ipv6Windows(text: string): number[] {
  const out: number[] = [];
  let from = 0;
  for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', from)) {
    let s = colon;
    while (s > from && isHexColonDot(text.charCodeAt(s - 1))) s--;
    let e = colon + 1;
    while (e < text.length && isHexColonDot(text.charCodeAt(e))) e++;
    from = e;
    if (s > 0) {
      const b = text.charCodeAt(s - 1);
      if (isWord(b) || b === 58 || b === 46) continue;
    }
    if (e - s >= 3) out.push(s, s);
  }
  return out;
}

function pushIpv6(m: RegExpExecArray, out: Match[]): void {
  let s = m[0];
  while (s.endsWith('.')) s = s.slice(0, -1);
  const pct = s.indexOf('%');
  const addr = pct >= 0 ? s.slice(0, pct) : s;
  if (addr.indexOf(':') < 0 || !isIPv6(addr)) return;
  if (addr.includes('::')) {
    // '::' shortened forms must carry some substance: "a::b" in code is not an address
    const groups = addr.split(':').filter((g) => g !== '');
    if (!/\d/.test(addr) || (groups.length < 2 && addr !== '::1')) return;
  }
  out.push({ start: m.index, end: m.index + s.length, type: 'IP_ADDRESS' });
}

export function findIps(text: string, out: Match[]): void {
  if (text.indexOf('.') >= 0) {
    const w = ipv4Windows(text);
    if (w.length > 0) eachMatchInWindows(IPV4, text, w, (m) => out.push({ start: m.index, end: m.index + m[0].length, type: 'IP_ADDRESS' }));
  }
  if (text.indexOf(':') >= 0) {
    const w = ipv6Windows(text);
    if (w.length > 0) eachMatchInWindows(IPV6, text, w, (m) => pushIpv6(m, out));
  }
}

export const ipDetector: Detector = { type: 'IP_ADDRESS', minDigits: 1, detect: (t, out) => findIps(t, out) };
