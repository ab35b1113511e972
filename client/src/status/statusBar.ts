// Status bar: a summary of all ImageRepositories ("12 ready · 1 failing") that opens the tree, and a spinner
// while a single rescan runs.
import * as vscode from 'vscode';
import { healthOf, type Health } from '../host/health';
import type { ReconcilerState, TaglineState } from '../host/state';

const ORDER: Health[] = ['ready', 'failing', 'stalled', 'scanning', 'suspended', 'unknown'];
const WORDS: Record<Health, string> = {
  ready: 'ready', failing: 'failing', stalled: 'stalled', scanning: 'scanning', suspended: 'suspended', unknown: 'waiting',
};

export function summarise(healths: Health[]): string {
  const counts = new Map<Health, number>();
  for (const h of healths) counts.set(h, (counts.get(h) ?? 0) + 1);
  return ORDER.filter((h) => counts.has(h)).map((h) => `${counts.get(h)} ${WORDS[h]}`).join(' · ');
}

export class TaglineStatusBar implements vscode.Disposable {
  private readonly summary: vscode.StatusBarItem;
  private readonly spinner: vscode.StatusBarItem;
  private readonly database: vscode.StatusBarItem;
  private readonly subs: vscode.Disposable[] = [];
  private scans = 0;

  constructor(private readonly state: TaglineState) {
    this.summary = vscode.window.createStatusBarItem('tagline.summary', vscode.StatusBarAlignment.Left, 10);
    this.summary.name = 'Tagline';
    this.summary.command = 'tagline.repositories.focus';
    this.spinner = vscode.window.createStatusBarItem('tagline.scan', vscode.StatusBarAlignment.Left, 9);
    this.spinner.name = 'Tagline scan';
    this.database = vscode.window.createStatusBarItem('tagline.database', vscode.StatusBarAlignment.Left, 8);
    this.database.name = 'Tagline database';
    this.database.command = 'tagline.showLogs';
    this.database.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.subs.push(state.onDidChange(() => this.update()));
    this.update();
  }

  /** Text shown now; the extension-host tests read it. */
  get text(): string {
    return this.summary.text;
  }

  /** Tooltip shown now (with the Flux version); the extension-host tests read it. */
  get tooltip(): string {
    return typeof this.summary.tooltip === 'string' ? this.summary.tooltip : this.summary.tooltip?.value ?? '';
  }

  /** Shows the spinner for the duration of `work`. */
  async withSpinner<T>(label: string, work: () => Promise<T>): Promise<T> {
    this.scans++;
    this.spinner.text = `$(sync~spin) ${label}`;
    this.spinner.show();
    try {
      return await work();
    } finally {
      if (--this.scans === 0) this.spinner.hide();
    }
  }

  get spinning(): boolean {
    return this.scans > 0;
  }

  /** The database warning shown now, if any; the extension-host tests read it. */
  get databaseWarning(): string | undefined {
    return this.state.databaseProblem === undefined ? undefined : this.database.text;
  }

  private update(): void {
    const problem = this.state.databaseProblem;
    if (problem === undefined) {
      this.database.hide();
    } else {
      this.database.text = `$(warning) tag database not saved: ${problem}`;
      this.database.tooltip = 'Tagline could not write its tag database; tags and statuses are kept in memory and the write is retried. Click for the log.';
      this.database.show();
    }
    const views = this.state.all();
    const skipped = this.state.skipped().length;
    const rs: ReconcilerState = this.state.reconciler;
    if (views.length === 0 && skipped === 0) {
      this.summary.hide();
      return;
    }
    const counts = [summarise(views.map(healthOf)), ...(skipped > 0 ? [`${skipped} not scanned`] : [])].filter(Boolean).join(' · ');
    const icon = skipped > 0 || views.some((v) => ['failing', 'stalled'].includes(healthOf(v))) ? '$(warning)' : '$(tag)';
    const total = views.length + skipped;
    this.summary.text = rs === 'running' ? `${icon} ${counts}` : `$(shield) ${total} ImageRepositor${total === 1 ? 'y' : 'ies'}`;
    const flux = this.state.flux;
    this.summary.tooltip = [{
      running: `Tagline: ${counts}`,
      untrusted: 'Tagline: Restricted Mode — registries are not scanned until the workspace is trusted.',
      disabled: 'Tagline: the reconciler is disabled (tagline.reconciler.enable).',
      failed: 'Tagline: the reconciler could not start — see Tagline: Show Logs.',
    }[rs], ...(flux ? [flux.description] : []), ...(flux?.settingError ? [flux.settingError] : [])].join('\n');
    this.summary.show();
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.summary.dispose();
    this.spinner.dispose();
    this.database.dispose();
  }
}
