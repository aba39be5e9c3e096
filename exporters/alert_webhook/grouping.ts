// Grouping of repeated alerts, by wall clock (it limits how often people are paged, whatever the
// alerts' event times): the first alert for an agent and class opens a window of group_interval
// and is sent at once; repeats in the window are folded; when the window ends, one summary says
// how many were folded and opens the next window (so a storm yields one message per interval);
// a window that folded nothing closes, and the next alert is again sent at once.
import { MAX_EVIDENCE, maxSeverity, single, type AlertView, type Notification } from './notification.ts';

interface Group {
  timer: NodeJS.Timeout;
  folded: Notification | null;
}

export class AlertGrouper {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly intervalMs: number,
    /** Called with each summary when its window ends. */
    private readonly onSummary: (n: Notification) => void,
  ) {}

  /** The notification to send now, or null when the alert was folded into its group's summary. */
  admit(v: AlertView): Notification | null {
    if (this.intervalMs <= 0) return single(v);
    const key = `${v.agent}\u0000${v.class}`;
    const g = this.groups.get(key);
    if (!g) {
      this.groups.set(key, { timer: this.windowTimer(key), folded: null });
      return single(v);
    }
    g.folded = g.folded ? fold(g.folded, v) : { ...single(v), kind: 'summary' };
    return null;
  }

  /** Alerts folded and not yet summarised. */
  get pendingAlerts(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.folded?.count ?? 0;
    return n;
  }

  /** Shutdown: the summaries of every open window now, and no more timers. */
  flush(): Notification[] {
    const out: Notification[] = [];
    for (const g of this.groups.values()) {
      clearTimeout(g.timer);
      if (g.folded) out.push(g.folded);
    }
    this.groups.clear();
    return out;
  }

  private windowTimer(key: string): NodeJS.Timeout {
    const t = setTimeout(() => this.windowEnded(key), this.intervalMs);
    t.unref();
    return t;
  }

  private windowEnded(key: string): void {
    const g = this.groups.get(key);
    if (!g) return;
    if (!g.folded) {
      this.groups.delete(key);
      return;
    }
    const summary = g.folded;
    g.folded = null;
    g.timer = this.windowTimer(key);
    this.onSummary(summary);
  }
}

function fold(s: Notification, v: AlertView): Notification {
  return {
    kind: 'summary',
    latest: v,
    count: s.count + 1,
    severity: maxSeverity(s.severity, v.severity),
    maxScore: v.score === undefined ? s.maxScore : s.maxScore === undefined ? v.score : Math.max(s.maxScore, v.score),
    firstTimeMs: Math.min(s.firstTimeMs, v.timeMs),
    lastTimeMs: Math.max(s.lastTimeMs, v.timeMs),
    evidence: s.evidence.length < MAX_EVIDENCE && (v.traceId || v.spanId) ? [...s.evidence, { trace_id: v.traceId, span_id: v.spanId }] : s.evidence,
  };
}
