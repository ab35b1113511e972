// The "Tagline" output channel. Reconciler events are written the way `kubectl get events` reads
// (`Normal Succeeded successful scan: found 211 tags with checksum …`), prefixed with the object.
import * as vscode from 'vscode';
import type { FluxEvent } from '../../../common/model';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error';
const RANK: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warning: 3, error: 4 };

export class TaglineLog implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private level: LogLevel = 'info';

  constructor() {
    this.channel = vscode.window.createOutputChannel('Tagline', { log: true });
  }

  setLevel(level: LogLevel): void {
    this.level = RANK[level] === undefined ? 'info' : level;
  }

  private enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  event(e: FluxEvent): void {
    const line = `imagerepository/${e.involvedObject.namespace}/${e.involvedObject.name}: ${e.type} ${e.reason} ${e.message}`;
    // Flux posts Trace as a Normal event that notification-controller never sees (fluxcd/pkg runtime/events recorder.go),
    // so it is shown only at `tagline.logLevel: trace`. It is written at the channel's info level, because
    // the channel's own default level (Info) would otherwise hide it a second time.
    if (e.type === 'Warning') {
      if (this.enabled('warning')) this.channel.warn(line);
    } else if (this.enabled(e.type === 'Trace' ? 'trace' : 'info')) {
      this.channel.info(line);
    }
  }

  info(message: string): void {
    if (this.enabled('info')) this.channel.info(message);
  }

  debug(message: string): void {
    if (this.enabled('debug')) this.channel.info(message);
  }

  warn(message: string): void {
    if (this.enabled('warning')) this.channel.warn(message);
  }

  error(message: string): void {
    this.channel.error(message);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
