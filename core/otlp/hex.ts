// Hex -> bytes for trace and span ids (lowercase hex strings in the data model; the protobuf
// decoder makes them with Buffer's hexSlice).

const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = NIBBLE[65 + i] = 10 + i;

/** Parses hex (either case) into `out` at `offset`; false if any character is not a hex digit. */
export function hexInto(hex: string, out: Uint8Array, offset: number): boolean {
  for (let i = 0, j = offset; i < hex.length; i += 2, j++) {
    const c1 = hex.charCodeAt(i);
    const c2 = hex.charCodeAt(i + 1);
    const hi = c1 < 128 ? NIBBLE[c1] : -1;
    const lo = c2 < 128 ? NIBBLE[c2] : -1;
    if (hi < 0 || lo < 0) return false;
    out[j] = (hi << 4) | lo;
  }
  return true;
}

/** True when s is an even-length hex string. */
export function isHex(s: string): boolean {
  if (s.length % 2 !== 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || NIBBLE[c] < 0) return false;
  }
  return true;
}

/** Hex (either case, even length, validated by the caller) -> bytes. */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  if (!hexInto(hex, out, 0)) throw new TypeError(`not a hex string: ${JSON.stringify(hex)} (trace and span ids are hex)`);
  return out;
}
