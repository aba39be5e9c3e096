// The live policy of one policy processor id. Rules in the config never change; a policy file is
// re-read on SIGHUP and when it changes (fs.watchFile, which survives editors that replace the
// file). A reload that fails keeps the rules in force and logs the error with FILE:LINE. The guard
// and the pipeline instances of one processor id share one source (reference counted), so a
// reload is read, logged and applied once. Decisions read `policy` once, so a reload never changes
// a decision half-way.
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Logger, MetricsRegistry } from '../../core/component.ts';
import { loadPolicyFile, type CompiledPolicyConfig } from './config.ts';
import type { Policy } from './rules.ts';

export class PolicySource {
  policy: Policy;
  private refs = 0;
  private key = '';
  private readonly onHup = () => this.reload('SIGHUP');
  private readonly onChange = (cur: Stats, prev: Stats) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) this.reload('file change');
  };
  private readonly reloads;

  constructor(
    private readonly id: string,
    private readonly cfg: CompiledPolicyConfig,
    private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.policy = cfg.policy;
    this.reloads = metrics.counter('agentcol_processor_policy_reloads_total', 'Policy file reloads, by policy and outcome (ok, failed).');
  }

  get file(): string | undefined {
    return this.cfg.file;
  }

  /** Re-reads the file now (what SIGHUP does); returns whether the new rules are in force. */
  reload(why: string): boolean {
    if (!this.cfg.file) return false;
    try {
      const next = loadPolicyFile(this.cfg.file, this.cfg.defaultEffect);
      this.policy = next;
      this.reloads.add(1, { policy: this.id, outcome: 'ok' });
      this.logger.info('policy: rules reloaded', { policy: this.id, file: this.cfg.file, reason: why, rules: next.rules.length, default: next.default });
      return true;
    } catch (err) {
      this.reloads.add(1, { policy: this.id, outcome: 'failed' });
      this.logger.error('policy: reload failed, keeping the previous rules', { policy: this.id, reason: why, error: (err as Error).message });
      return false;
    }
  }

  private acquire(): void {
    if (this.refs++ > 0 || !this.cfg.file) return;
    try {
      // The file may have changed since the config was checked: start from what it says now.
      this.policy = loadPolicyFile(this.cfg.file, this.cfg.defaultEffect);
    } catch (err) {
      this.refs = 0;
      sources.delete(this.key);
      throw err;
    }
    process.on('SIGHUP', this.onHup);
    watchFile(this.cfg.file, { interval: this.cfg.watchIntervalMs, persistent: false }, this.onChange);
  }

  private release(): void {
    if (--this.refs > 0) return;
    this.refs = 0;
    sources.delete(this.key);
    if (!this.cfg.file) return;
    process.off('SIGHUP', this.onHup);
    unwatchFile(this.cfg.file, this.onChange);
  }

  /** The shared source of processor `id` (created on first use); release it on shutdown. */
  static acquire(id: string, cfg: CompiledPolicyConfig, logger: Logger, metrics: MetricsRegistry): { source: PolicySource; release: () => void } {
    const k = key(id, cfg);
    let s = sources.get(k);
    if (!s) {
      s = new PolicySource(id, cfg, logger, metrics);
      s.key = k;
      sources.set(k, s);
    }
    const src = s;
    src.acquire();
    let released = false;
    return {
      source: src,
      release: () => {
        if (released) return;
        released = true;
        src.release();
      },
    };
  }
}

const sources = new Map<string, PolicySource>();
let seq = 0;
/** File mode: one source per processor id and file; rules in the config: one per acquirer's config. */
const key = (id: string, cfg: CompiledPolicyConfig) => (cfg.file ? `${id}\u0000${cfg.file}` : `${id}\u0000inline\u0000${++seq}`);
