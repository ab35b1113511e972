// The "Tagline" output channel. Reconciler events are written the way `kubectl get events` reads
// (`Normal Succeeded successful scan: found 211 tags with checksum …`), prefixed with the object.
import * as vscode from 'vscode';
import type { FluxEvent } from '../../../common/model';
import { eventLogLine, isLogged, parseLogLevel, type LogLevel } from './logLevel';

export type { LogLevel } from './logLevel';

export class TaglineLog implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  private level: LogLevel = 'info';

  constructor() {
    this.channel = vscode.window.createOutputChannel('Tagline', { log: true });
  }

  /** `tagline.logLevel`; an unknown value is `info`. */
  setLevel(level: unknown): void {
    this.level = parseLogLevel(level);
  }

  get currentLevel(): LogLevel {
    return this.level;
  }

  private enabled(level: LogLevel): boolean {
    return isLogged(level, this.level);
  }

  event(e: FluxEvent): void {
    const line = eventLogLine(e, this.level);
    if (line?.level === 'warning') this.channel.warn(line.text);
    else if (line) this.channel.info(line.text);
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
