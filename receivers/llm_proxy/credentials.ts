// Provider keys, from the config (api_key, ${env:} already expanded) or from a file (api_key_file).
// Files are re-read on SIGHUP and when they change (fs.watchFile, which survives editors that
// replace the file). A request reads the key once when it starts its upstream attempt, so a reload
// never disturbs requests in flight. A failed reload keeps the previous key and logs why.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from '../../core/telemetry/logger.ts';
import type { ProviderConfig } from './config.ts';

export class ProviderKeys {
  private readonly keys = new Map<string, string>();
  /** Unix seconds of the last successful load, per provider. */
  readonly loadedAt = new Map<string, number>();
  private readonly onHup = () => this.reloadAll('SIGHUP');
  private watched: string[] = [];

  constructor(
    private readonly providers: Map<string, ProviderConfig>,
    private readonly logger: Logger,
  ) {}

  /** Loads every key; a missing or empty key file fails the start with a clear message. */
  start(watchIntervalMs = 1000): void {
    for (const p of this.providers.values()) {
      if (p.api_key !== undefined) this.set(p.name, p.api_key);
      else this.set(p.name, this.readKeyFile(p));
    }
    process.on('SIGHUP', this.onHup);
    for (const p of this.providers.values()) {
      if (!p.api_key_file) continue;
      const file = p.api_key_file;
      watchFile(file, { interval: watchIntervalMs, persistent: false }, (cur, prev) => {
        if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) this.reload(p, 'file change');
      });
      this.watched.push(file);
    }
  }

  stop(): void {
    process.off('SIGHUP', this.onHup);
    for (const f of this.watched) unwatchFile(f);
    this.watched = [];
  }

  get(provider: string): string {
    return this.keys.get(provider) ?? '';
  }

  reloadAll(why: string): void {
    for (const p of this.providers.values()) if (p.api_key_file) this.reload(p, why);
  }

  private reload(p: ProviderConfig, why: string): void {
    try {
      const key = this.readKeyFile(p);
      const changed = key !== this.keys.get(p.name);
      this.set(p.name, key);
      this.logger.info('llm_proxy: provider key reloaded', { provider: p.name, reason: why, changed });
    } catch (err) {
      this.logger.error('llm_proxy: provider key reload failed, keeping the previous key', { provider: p.name, reason: why, error: (err as Error).message });
    }
  }

  private readKeyFile(p: ProviderConfig): string {
    let text: string;
    try {
      text = readFileSync(p.api_key_file!, 'utf8');
    } catch (err) {
      throw new Error(`llm_proxy receiver: providers.${p.name}.api_key_file: cannot read ${p.api_key_file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const key = text.trim();
    if (!key) throw new Error(`llm_proxy receiver: providers.${p.name}.api_key_file ${p.api_key_file} is empty: write the provider key into it`);
    return key;
  }

  private set(name: string, key: string): void {
    this.keys.set(name, key);
    this.loadedAt.set(name, Date.now() / 1000);
  }
}
