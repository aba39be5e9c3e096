// CIDR allow-lists for agents' `allowed_cidrs`. Addresses are compared as 128-bit numbers; IPv4
// lives in the IPv4-mapped range (::ffff:0:0/96), so `127.0.0.0/8` matches both 127.0.0.1 and a
// dual-stack socket's ::ffff:127.0.0.1.
import net from 'node:net';

export interface Cidr {
  text: string;
  /** Network address as a 128-bit bigint, and the mask's prefix length in 128-bit terms. */
  base: bigint;
  prefix: number;
}

const MAPPED = 0xffffn << 32n;

/** An address as a 128-bit bigint (IPv4 mapped into ::ffff:0:0/96), or null. */
export function addressToBigInt(addr: string): bigint | null {
  const zone = addr.indexOf('%');
  if (zone >= 0) addr = addr.slice(0, zone);
  const kind = net.isIP(addr);
  if (kind === 4) return MAPPED | ipv4ToBigInt(addr);
  if (kind !== 6) return null;
  // Expand "::", with an optional trailing dotted IPv4 part.
  let tail4: bigint | null = null;
  const lastColon = addr.lastIndexOf(':');
  if (addr.indexOf('.', lastColon) > 0) {
    tail4 = ipv4ToBigInt(addr.slice(lastColon + 1));
    addr = addr.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = head ? head.split(':') : [];
  const t = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(parseInt(g || '0', 16));
  if (tail4 !== null) v = (v & ~0xffffffffn) | tail4;
  return v;
}

function ipv4ToBigInt(a: string): bigint {
  return a.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
}

/** "10.0.0.0/8", "127.0.0.1" (a /32), "fd00::/8", "::1" -> Cidr, or null. */
export function parseCidr(text: string): Cidr | null {
  const [addr, bits, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const kind = net.isIP(addr);
  const v = addressToBigInt(addr);
  if (v === null) return null;
  const max = kind === 4 ? 32 : 128;
  const n = bits === undefined ? max : /^\d+$/.test(bits) ? Number(bits) : NaN;
  if (!(n >= 0 && n <= max)) return null;
  const prefix = kind === 4 ? n + 96 : n;
  return { text, base: v & maskOf(prefix), prefix };
}

function maskOf(prefix: number): bigint {
  return prefix === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
}

// Answers per allow-list and address: agents call from a handful of addresses, and parsing an
// address into a bigint is the costly part. Bounded: cleared when it grows past MEMO_MAX.
const memo = new WeakMap<Cidr[], Map<string, boolean>>();
const MEMO_MAX = 4096;

/** True when the list is empty (no restriction) or one entry contains the address. */
export function allowedBy(cidrs: Cidr[], address: string | undefined): boolean {
  if (cidrs.length === 0) return true;
  if (!address) return false;
  let m = memo.get(cidrs);
  if (!m) memo.set(cidrs, (m = new Map()));
  let ok = m.get(address);
  if (ok === undefined) {
    ok = false;
    const v = addressToBigInt(address);
    if (v !== null) for (const c of cidrs) if ((v & maskOf(c.prefix)) === c.base) ok = true;
    if (m.size >= MEMO_MAX) m.clear();
    m.set(address, ok);
  }
  return ok;
}
