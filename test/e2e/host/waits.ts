// Waiting on VS Code's own signals in the extension-host suites: no polling, no sleeps.
import * as vscode from 'vscode';

/**
 * Resolves when `predicate` holds, re-checking whenever `event` fires; rejects after `timeoutMs` with `what` and
 * what `describeNow` says of the state then.
 */
export function until(
  event: vscode.Event<unknown>, predicate: () => boolean, what: string,
  { timeoutMs = 25_000, describeNow = () => '' }: { timeoutMs?: number; describeNow?: () => string } = {},
): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`timed out waiting for ${what}${describeNow()}`)); }, timeoutMs);
    const sub = event(() => {
      if (!predicate()) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

/**
 * Resolves with the diagnostics of `uri` once `predicate` holds on them, re-checked on each change; rejects after
 * `timeoutMs` with `what` and `describe` of the diagnostics then (their messages unless told).
 */
export async function diagnosticsOf(
  uri: vscode.Uri, predicate: (ds: vscode.Diagnostic[]) => boolean, what: string, timeoutMs = 25_000,
  describe: (ds: vscode.Diagnostic[]) => unknown = (ds) => ds.map((d) => d.message),
): Promise<vscode.Diagnostic[]> {
  const now = () => vscode.languages.getDiagnostics(uri);
  await until(vscode.languages.onDidChangeDiagnostics, () => predicate(now()), what, { timeoutMs, describeNow: () => `: ${JSON.stringify(describe(now()))}` });
  return now();
}
