// The `tagline.*` settings the extension host reads (the server reads its own through synchronize).
import * as vscode from 'vscode';
import type { LogLevel } from './log';

export interface HostSettings {
  reconcilerEnabled: boolean;
  concurrencyPerHost: number;
  /** Go duration string; parsed by the reconciler's duration helper. "0" means no cap. */
  maxInterval: string;
  extraCaFiles: string[];
  logLevel: LogLevel;
}

export function readSettings(): HostSettings {
  const c = vscode.workspace.getConfiguration('tagline');
  return {
    reconcilerEnabled: c.get<boolean>('reconciler.enable', true),
    concurrencyPerHost: Math.max(1, Math.floor(c.get<number>('reconciler.concurrency', 4))),
    maxInterval: c.get<string>('reconciler.maxInterval', '5m'),
    extraCaFiles: c.get<string[]>('registry.extraCaFiles', []).filter((f) => typeof f === 'string' && f !== ''),
    logLevel: c.get<LogLevel>('logLevel', 'info'),
  };
}

/** Settings whose change means the reconciler must be rebuilt (not just re-read). */
export function affectsReconciler(e: vscode.ConfigurationChangeEvent): boolean {
  return ['tagline.reconciler', 'tagline.registry'].some((s) => e.affectsConfiguration(s));
}

/** Where statuses come from: the local reconciler, the cluster (no registry traffic from here), or both. */
export type ReconcilerSource = 'local' | 'cluster' | 'both';

export interface ClusterSettings {
  /** kubeconfig contexts to watch; none by default, so no cluster is contacted unasked. */
  contexts: string[];
  source: ReconcilerSource;
}

export function readClusterSettings(): ClusterSettings {
  const c = vscode.workspace.getConfiguration('tagline');
  const source = c.get<string>('reconciler.source', 'local');
  return {
    contexts: [...new Set(c.get<string[]>('cluster.contexts', []).filter((x) => typeof x === 'string' && x !== ''))],
    source: source === 'cluster' || source === 'both' ? source : 'local',
  };
}

export function affectsCluster(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration('tagline.cluster') || e.affectsConfiguration('tagline.reconciler.source');
}
