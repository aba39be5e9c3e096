// The `by_complexity` routing estimate: a deterministic score in [0, 1] from what a request asks
// for, and the tier it picks (score >= threshold -> 'frontier', else 'cheap'). Same request, same
// score: no randomness, no clock, no model call. Each signal adds a fixed weight:
//
//   prompt size     0.35 x min(1, estimated prompt tokens / 8000)     (estimateTokens, usage.ts)
//   turns           0.10 x min(1, (messages - 1) / 20)               (long multi-turn conversations)
//   tool use        0.15 when tools are offered, 0.20 with 8 or more
//   reasoning       low 0.15 · medium or `true` (thinking on, no effort given) 0.30 · high 0.50 ·
//                   none/minimal/false 0; a numeric string is a thinking budget (tokens), mapped
//                   like the dialect translation does: < 4096 low, < 16384 medium, else high
//   code            0.15 when a message holds a fenced code block (```)
//   long output     0.15 when maxTokens >= 4096
//
// With the default threshold 0.5: asking for high reasoning alone goes frontier; tools + code +
// long output (0.45) stays cheap until the prompt grows past ~1,150 tokens or the conversation
// gets long. The sum is capped at 1 and rounded to 3 decimals so the tier never depends on float
// noise. `reasons` lists each signal that contributed, with its weight.
import { estimateTokens } from './usage.ts';

export interface ComplexityRequest {
  messages: { role: string; content: string }[];
  toolCount: number;
  reasoning: boolean | string;
  maxTokens?: number;
}

export interface ComplexityEstimate {
  score: number;
  tier: 'cheap' | 'frontier';
  reasons: string[];
}

export const COMPLEXITY_WEIGHTS = {
  promptSize: 0.35,
  promptTokensFull: 8000,
  turns: 0.1,
  turnsFull: 20,
  tools: 0.15,
  manyTools: 0.2,
  manyToolsCount: 8,
  reasoning: { low: 0.15, medium: 0.3, high: 0.5 },
  code: 0.15,
  longOutput: 0.15,
  longOutputTokens: 4096,
} as const;

function reasoningLevel(r: boolean | string): 'low' | 'medium' | 'high' | null {
  if (r === true) return 'medium';
  if (r === false) return null;
  const s = String(r).trim().toLowerCase();
  if (s === 'low' || s === 'medium' || s === 'high') return s;
  if (/^\d+$/.test(s)) {
    const budget = Number(s);
    if (budget <= 0) return null;
    return budget < 4096 ? 'low' : budget < 16384 ? 'medium' : 'high';
  }
  return null; // '', 'none', 'minimal', 'disabled', unknown words
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function estimateComplexity(req: ComplexityRequest, threshold = 0.5): ComplexityEstimate {
  const W = COMPLEXITY_WEIGHTS;
  const reasons: string[] = [];
  let score = 0;
  const add = (w: number, why: string): void => {
    w = round3(w);
    if (w <= 0) return;
    score += w;
    reasons.push(`${why} (+${w})`);
  };

  const messages = Array.isArray(req.messages) ? req.messages : [];
  let tokens = 0;
  let code = false;
  for (const m of messages) {
    const text = typeof m?.content === 'string' ? m.content : '';
    tokens += estimateTokens(text);
    if (!code && text.includes('```')) code = true;
  }
  add(W.promptSize * Math.min(1, tokens / W.promptTokensFull), `prompt ~${tokens} tokens`);
  if (messages.length > 1) add(W.turns * Math.min(1, (messages.length - 1) / W.turnsFull), `${messages.length} messages`);
  const tools = Math.max(0, req.toolCount | 0);
  if (tools > 0) add(tools >= W.manyToolsCount ? W.manyTools : W.tools, `${tools} tool${tools === 1 ? '' : 's'} offered`);
  const level = reasoningLevel(req.reasoning);
  if (level) add(W.reasoning[level], `reasoning ${level}`);
  if (code) add(W.code, 'code block in prompt');
  if (req.maxTokens !== undefined && req.maxTokens >= W.longOutputTokens) add(W.longOutput, `long output requested (max ${req.maxTokens} tokens)`);

  score = round3(Math.min(1, score));
  const tier = score >= threshold ? 'frontier' : 'cheap';
  reasons.push(`score ${score} ${tier === 'frontier' ? '>=' : '<'} threshold ${threshold}: ${tier}`);
  return { score, tier, reasons };
}
