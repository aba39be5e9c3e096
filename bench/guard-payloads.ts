// Realistic agent payloads for the guard processors' bench (bench/guards.ts), generated
// deterministically from a seed: what redaction and injection_scan actually see in production.
//   chat      a user prompt (prose, a few PII items, the odd accented name or curly quote)
//   tool      a tool result as JSON (CRM / order lookup: names, e-mails, phones, addresses, ids)
//   document  retrieved knowledge-base articles (RAG): prose, headings, URLs, versions, rare PII
//   code      source code a coding agent read (TypeScript / Python, config with one API key)
//   logs      application log lines (timestamps, IPs, paths, request ids, the odd e-mail)
// Sizes are in UTF-8 bytes (each payload is cut at a line or word boundary just under its size).
import { prng } from '../test/helpers/random.ts';

export const PAYLOAD_KINDS = ['chat', 'tool', 'document', 'code', 'logs'] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];
export const PAYLOAD_SIZES = [1024, 4096, 16384, 65536] as const;

export interface Payload {
  kind: PayloadKind;
  /** Target size in bytes; `bytes` is the actual UTF-8 size. */
  size: number;
  bytes: number;
  text: string;
  /** The injection_scan input role of this text. */
  role: 'user' | 'tool' | 'document';
}

type Rand = () => number;
const pick = <T>(r: Rand, a: readonly T[]): T => a[Math.floor(r() * a.length)];
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const FIRST = ['Jane', 'Maria', 'Ahmed', 'Wei', 'Olivia', 'Lukas', 'Priya', 'Tom', 'Sofia', 'Kenji', 'Amara', 'Noah', 'José', 'Zoë', 'Søren', 'Fatima'];
const LAST = ['Doe', 'Gonzalez', 'Khan', 'Zhang', 'Smith', 'Müller', 'Patel', 'Brown', 'Rossi', 'Tanaka', 'Okafor', 'Wilson', 'García', 'Dubois', 'Nielsen', 'Haddad'];
const DOMAINS = ['example.com', 'corp.example', 'mail.example.org', 'acme.io', 'shop.example.net'];
const STREETS = ['Baker Street', 'Maple Avenue', 'Oak Lane', 'High Street', 'Elm Road', 'Sunset Boulevard'];
const CITIES = ['London', 'Springfield', 'Berlin', 'Paris', 'Austin', 'Toronto', 'Sydney'];
const PRODUCTS = ['Mug Set', 'Standing Desk', 'Noise-Cancelling Headphones', 'USB-C Hub', 'Espresso Machine', 'Trail Running Shoes', 'Backpack', 'Monitor Arm'];
const PROSE =
  `the order arrived yesterday but the box was damaged and one item inside is cracked so I would like to know whether I should send it back first or whether you can ship a replacement straight away ` +
  `our team migrated the billing service last quarter and since then some invoices show the wrong tax rate for customers outside the EU which we need to fix before the next release ` +
  `please summarise the attached notes for the weekly review and list the open questions with an owner for each one and a due date in the next two weeks ` +
  `the model should answer politely in a short paragraph cite the order number and explain the refund policy including the 30 day window and any exceptions for opened items ` +
  `when the customer asks about delivery times we check the warehouse status first then the carrier tracking page and only escalate if the parcel has not moved for five days`;
const WORDS = PROSE.split(' ');
const TOPICS = ['Returns and refunds', 'Shipping times', 'Account security', 'API rate limits', 'Billing and invoices', 'Warranty claims', 'Data retention'];

function email(r: Rand, first: string, last: string): string {
  const f = first.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]/g, '');
  const l = last.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]/g, '');
  return `${f}.${l}${r() < 0.3 ? int(r, 1, 99) : ''}@${pick(r, DOMAINS)}`;
}
const phone = (r: Rand) => pick(r, [`+44 20 7946 ${int(r, 1000, 9999)}`, `(212) 555-0${int(r, 100, 199)}`, `+1 415-555-0${int(r, 100, 199)}`, `030 ${int(r, 1000000, 9999999)}`]);
const orderId = (r: Rand) => String(int(r, 10000, 99999));
const hex = (r: Rand, n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
const iso = (r: Rand) => `2026-${String(int(r, 1, 12)).padStart(2, '0')}-${String(int(r, 1, 28)).padStart(2, '0')}T${String(int(r, 0, 23)).padStart(2, '0')}:${String(int(r, 0, 59)).padStart(2, '0')}:${String(int(r, 0, 59)).padStart(2, '0')}.${int(r, 100, 999)}Z`;

function sentence(r: Rand, words: number): string {
  const w: string[] = [];
  for (let i = 0; i < words; i++) w.push(pick(r, WORDS));
  const s = w.join(' ');
  return s[0].toUpperCase() + s.slice(1) + pick(r, ['.', '.', '.', '?', '!']);
}

/** Appends pieces until the UTF-8 size reaches `size`, then cuts at the last separator under it. */
function fill(size: number, next: () => string, sep: string): string {
  let out = '';
  while (Buffer.byteLength(out) < size) out += (out ? sep : '') + next();
  while (Buffer.byteLength(out) > size) {
    const cut = out.lastIndexOf(sep);
    out = cut > 0 ? out.slice(0, cut) : out.slice(0, size);
  }
  return out;
}

function chat(r: Rand, size: number): string {
  const first = pick(r, FIRST);
  const last = pick(r, LAST);
  // A few PII items per prompt (one every six sentences: 1 or 2 in 1 KB, 5 or 6 in 4 KB; long
  // prompts are pasted threads, with more).
  const pii = [
    () => `My name is ${first} ${last} and you can reach me at ${email(r, first, last)}.`,
    () => `Call me on ${phone(r)} if anything is unclear.`,
    () => `The delivery address is ${int(r, 1, 400)} ${pick(r, STREETS)}, ${pick(r, CITIES)}.`,
    () => `I paid with the card ending ${int(r, 1000, 9999)} for order ${orderId(r)}.`,
    () => `My colleague ${pick(r, FIRST)} (${email(r, pick(r, FIRST), pick(r, LAST))}) is in copy.`,
    () => `It’s the second time this happens — could you “double-check” the warehouse?`,
  ];
  let n = 0;
  return fill(size, () => (n++ % 6 === 1 ? pick(r, pii)() : sentence(r, int(r, 8, 22))), ' ');
}

function tool(r: Rand, size: number): string {
  // A JSON array of customer/order records, compact, as function-calling tools return them.
  const records: string[] = [];
  let bytes = 2;
  while (bytes < size) {
    const first = pick(r, FIRST);
    const last = pick(r, LAST);
    const rec = JSON.stringify(
      {
        order_id: orderId(r),
        status: pick(r, ['shipped', 'delivered', 'processing', 'returned']),
        created_at: iso(r),
        customer: { name: `${first} ${last}`, email: email(r, first, last), phone: phone(r), tier: pick(r, ['gold', 'silver', 'standard']) },
        shipping_address: `${int(r, 1, 400)} ${pick(r, STREETS)}, ${pick(r, CITIES)}`,
        items: Array.from({ length: int(r, 1, 3) }, () => ({ sku: `SKU-${int(r, 1000, 9999)}`, name: pick(r, PRODUCTS), qty: int(r, 1, 4), price: int(r, 500, 45000) / 100 })),
        notes: sentence(r, int(r, 6, 18)),
      },
    );
    records.push(rec);
    bytes += Buffer.byteLength(rec) + 2;
  }
  while (records.length > 1 && Buffer.byteLength(`[${records.join(',\n')}]`) > size) records.pop();
  return `[${records.join(',\n')}]`;
}

function document(r: Rand, size: number): string {
  let n = 0;
  return fill(
    size,
    () => {
      n++;
      if (n % 7 === 1) return `\n## ${pick(r, TOPICS)} (v${int(r, 1, 4)}.${int(r, 0, 9)}.${int(r, 0, 20)})\n`;
      if (n % 23 === 5) return `For details see https://help.example.com/articles/${int(r, 1000, 9999)}-${pick(r, WORDS)} or write to support@${pick(r, DOMAINS)}.`;
      if (n % 29 === 11) return `Last reviewed by ${pick(r, FIRST)} ${pick(r, LAST)} on ${int(r, 1, 28)} March 2026 — see the “Policies” page.`;
      return sentence(r, int(r, 10, 26));
    },
    ' ',
  );
}

function code(r: Rand, size: number): string {
  const fns = ['fetchOrder', 'refundItem', 'parseInvoice', 'retryWithBackoff', 'validateAddress', 'formatCurrency', 'loadConfig'];
  let n = 0;
  return fill(
    size,
    () => {
      n++;
      const f = pick(r, fns) + n;
      if (n === 2) return `const config = {\n  baseUrl: 'https://api.example.com/v2',\n  apiKey: 'sk-proj-${hex(r, 40)}',\n  timeoutMs: ${int(r, 1000, 30000)},\n  region: 'eu-west-1',\n};\n`;
      if (n % 5 === 0)
        return `def ${f.toLowerCase()}(order_id: int, *, retries: int = 3) -> dict:\n    """Fetch the order and retry on 5xx."""\n    for attempt in range(retries):\n        resp = session.get(f"{BASE}/orders/{order_id}", timeout=${int(r, 2, 30)})\n        if resp.status_code < 500:\n            return resp.json()\n        time.sleep(2 ** attempt * 0.${int(r, 1, 9)})\n    raise RuntimeError(f"order {order_id}: giving up after {retries} attempts")\n`;
      return `export async function ${f}(id: string, opts: { signal?: AbortSignal } = {}): Promise<Order | undefined> {\n  // ${sentence(r, int(r, 5, 12))}\n  const res = await fetch(\`\${config.baseUrl}/orders/\${encodeURIComponent(id)}\`, { signal: opts.signal, headers: { accept: 'application/json' } });\n  if (res.status === 404) return undefined;\n  if (!res.ok) throw new Error(\`GET /orders/\${id}: HTTP \${res.status}\`);\n  const body = (await res.json()) as OrderDto;\n  return { id: body.id, total: Math.round(body.total * ${int(r, 10, 100)}) / 100, items: body.items.map((i) => i.sku) };\n}\n`;
    },
    '\n',
  );
}

function logs(r: Rand, size: number): string {
  const paths = ['/api/orders', '/api/customers', '/v1/chat/completions', '/healthz', '/api/refunds', '/api/search'];
  return fill(
    size,
    () => {
      const ip = `10.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`;
      const x = r();
      if (x < 0.05) return `${iso(r)} WARN  [auth] login failed for ${email(r, pick(r, FIRST), pick(r, LAST))} from ${ip} (attempt ${int(r, 2, 5)})`;
      if (x < 0.12) return `${iso(r)} ERROR [worker] job ${hex(r, 12)} failed: ETIMEDOUT connecting to db-${int(r, 1, 3)}.internal:5432 after ${int(r, 1000, 30000)}ms`;
      return `${iso(r)} INFO  [http] ${ip} ${pick(r, ['GET', 'POST', 'PUT'])} ${pick(r, paths)}/${orderId(r)} ${pick(r, [200, 200, 201, 204, 404, 500])} ${int(r, 1, 900)}ms req_id=${hex(r, 16)} agent=support-agent-${int(r, 1, 40)}`;
    },
    '\n',
  );
}

const MAKERS: Record<PayloadKind, (r: Rand, size: number) => string> = { chat, tool, document, code, logs };
const ROLES: Record<PayloadKind, Payload['role']> = { chat: 'user', tool: 'tool', document: 'document', code: 'tool', logs: 'tool' };

/** One payload of `kind`, about `size` bytes, identical for the same seed. */
export function makePayload(kind: PayloadKind, size: number, seed = 1): Payload {
  const text = MAKERS[kind](prng(seed * 7919 + size + PAYLOAD_KINDS.indexOf(kind)), size);
  return { kind, size, bytes: Buffer.byteLength(text), text, role: ROLES[kind] };
}

/** Every kind at every size (`variants` seeds each). */
export function makePayloads(opts: { kinds?: readonly PayloadKind[]; sizes?: readonly number[]; variants?: number } = {}): Payload[] {
  const out: Payload[] = [];
  for (const kind of opts.kinds ?? PAYLOAD_KINDS) for (const size of opts.sizes ?? PAYLOAD_SIZES) for (let v = 1; v <= (opts.variants ?? 1); v++) out.push(makePayload(kind, size, v));
  return out;
}
