// Kubeconfig the way kubectl reads it (k8s.io/client-go tools/clientcmd loader.go `ClientConfigLoadingRules`):
// every file of KUBECONFIG (path-list separated; the first file to set a value wins) or ~/.kube/config, then a
// context chosen by name or the current one. Client certificates, bearer tokens and exec credential plugins are
// @kubernetes/client-node's; nothing here runs a plugin (that happens on the first request).
import { delimiter, join } from 'node:path';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigOptions {
  /** Kubeconfig files in order; default: KUBECONFIG from `env`, else ~/.kube/config. */
  files?: string[];
  /** Context name; default: the kubeconfig's current-context. */
  context?: string;
  env?: NodeJS.ProcessEnv;
}

/** The kubeconfig files kubectl would read: KUBECONFIG's entries (empty ones skipped), else ~/.kube/config. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter((file) => file !== '');
  return [join(env.HOME || homedir(), '.kube', 'config')];
}

/**
 * Loads and merges the kubeconfig files and selects the context. Throws with kubectl's words when there is no
 * configuration (`no configuration has been provided`) or the context is unknown
 * (`context was not found for specified context: NAME`, client-go clientcmd/client_config.go).
 */
export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const config = loadMerged(options);
  const context = options.context ?? config.getCurrentContext();
  if (!context || !config.getContextObject(context)) {
    throw new Error(context ? `context was not found for specified context: ${context}` : 'invalid configuration: no configuration has been provided');
  }
  config.setCurrentContext(context);
  return config;
}

function loadMerged(options: KubeConfigOptions): KubeConfig {
  const files = (options.files ?? kubeconfigFiles(options.env)).filter((file) => existsSync(file));
  if (files.length === 0) throw new Error('invalid configuration: no configuration has been provided');
  const config = new KubeConfig();
  config.loadFromFile(files[0]);
  for (const file of files.slice(1)) {
    const next = new KubeConfig();
    next.loadFromFile(file);
    mergeFirstWins(config, next);
  }
  return config;
}

/** clientcmd's merge: a cluster, user or context already named by an earlier file is kept. */
function mergeFirstWins(into: KubeConfig, from: KubeConfig): void {
  for (const cluster of from.getClusters()) if (!into.getCluster(cluster.name)) into.addCluster(cluster);
  for (const user of from.getUsers()) if (!into.getUser(user.name)) into.addUser(user);
  for (const context of from.getContexts()) if (!into.getContextObject(context.name)) into.addContext(context);
  if (!into.getCurrentContext() && from.getCurrentContext()) into.setCurrentContext(from.getCurrentContext());
}

/** The context names of the merged kubeconfig (for the settings' picker), or [] when there is none. */
export function contextNames(options: Omit<KubeConfigOptions, 'context'> = {}): string[] {
  try {
    return loadMerged(options).getContexts().map((c) => c.name);
  } catch {
    return [];
  }
}

/** The context's default namespace, `default` when it names none (kubectl's rule). */
export function contextNamespace(config: KubeConfig): string {
  return config.getContextObject(config.getCurrentContext())?.namespace || 'default';
}
