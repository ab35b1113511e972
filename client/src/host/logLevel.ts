// Which Tagline events and messages reach the "Tagline" log at a given `tagline.logLevel`. Plain data in and out
// (no `vscode`), so the rule is tested on its own; host/log.ts writes what this returns.
import type { FluxEvent } from '../../../common/model';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error';
const RANK: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warning: 3, error: 4 };

/** The setting's value as a level; anything else (a typo in settings.json) is the default, `info`. */
export function parseLogLevel(value: unknown): LogLevel {
  return typeof value === 'string' && Object.hasOwn(RANK, value) ? (value as LogLevel) : 'info';
}

/** Whether a message of `severity` is written when the setting is `threshold`. Errors are always written. */
export function isLogged(severity: LogLevel, threshold: LogLevel): boolean {
  return severity === 'error' || RANK[severity] >= RANK[threshold];
}

/**
 * One event as the log shows it (`imagerepository/<ns>/<name>: <type> <reason> <message>`, the way
 * `kubectl get events` reads), with the channel level to write it at, or undefined when `threshold` hides it.
 * Flux posts Trace as a Normal event that notification-controller never sees (fluxcd/pkg runtime/events
 * recorder.go), so it is shown only at `trace`; it is written at the channel's info level, which the channel
 * itself shows by default.
 */
export function eventLogLine(e: FluxEvent, threshold: LogLevel): { level: 'info' | 'warning'; text: string } | undefined {
  const text = `${e.involvedObject.kind.toLowerCase()}/${e.involvedObject.namespace}/${e.involvedObject.name}: ${e.type} ${e.reason} ${e.message}`;
  if (e.type === 'Warning') return isLogged('warning', threshold) ? { level: 'warning', text } : undefined;
  return isLogged(e.type === 'Trace' ? 'trace' : 'info', threshold) ? { level: 'info', text } : undefined;
}
