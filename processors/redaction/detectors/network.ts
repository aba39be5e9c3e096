// IP_ADDRESS: IPv4 (dotted quad, each octet 0-255) and IPv6 (validated with node:net).
import { isIPv6 } from 'node:net';
import type { Match } from '../entities.ts';
import { eachMatch, type Detector } from './util.ts';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d)`, 'g');
// Candidates: a run of hex digits, colons and dots (for ::ffff:1.2.3.4), with an optional zone.
const IPV6 = /(?<![\w:.])[0-9A-Fa-f:.]{3,45}(?:%[0-9A-Za-z]{1,16})?(?![\w:])/g;

export function findIps(text: string, out: Match[]): void {
  if (text.indexOf('.') >= 0) eachMatch(IPV4, text, (m) => out.push({ start: m.index, end: m.index + m[0].length, type: 'IP_ADDRESS' }));
  if (text.indexOf(':') >= 0) {
    eachMatch(IPV6, text, (m) => {
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
    });
  }
}

export const ipDetector: Detector = { type: 'IP_ADDRESS', minDigits: 1, detect: (t, out) => findIps(t, out) };
