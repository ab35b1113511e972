// `tagline diff <files or folders...> [--context C] [-A]`: what differs between the manifests and a cluster —
// a spec not applied or changed in the cluster, an object on one side only — one line each; exit 1 when any.
import { delimiter } from 'node:path';
import { describeDrift, findDrift } from '../common/flux/drift';
import { loadWorkspaceObjects } from '../common/manifests';
import { ClusterSource, clusterSubjects, loadKubeConfig, workspacePolicySubjects, workspaceSubjects } from '../client/src/kubernetes';
import { parseClusterArgs } from './cluster-args';

const USAGE = 'usage: tagline diff <files or folders...> [--kubeconfig FILE] [--context NAME] [-A]';

/**
 * Compares the ImageRepositories and ImagePolicies of the given manifests with the cluster's, in the namespaces the manifests use
 * (every namespace with -A, so objects of unmanaged namespaces count too). Exit 0: no drift; 1: drift; 2: the
 * cluster could not be read (the reason is printed).
 */
export async function runDiff(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseClusterArgs(args);
  if (typeof parsed === 'string' || parsed.paths.length === 0 || parsed.namespace) {
    const message = typeof parsed === 'string' ? parsed : parsed.namespace ? 'diff takes no -n: it reads the namespaces of the manifests (or -A)' : 'no files or folders given';
    process.stderr.write((message ? message + '\n' : '') + USAGE + '\n');
    return message ? 2 : 0;
  }
  const { objects } = await loadWorkspaceObjects(parsed.paths);
  const config = loadKubeConfig({ files: parsed.kubeconfig?.split(delimiter), context: parsed.context, env });
  const policies = objects.imagePolicies ?? [];
  const namespaces = [...new Set([...objects.imageRepositories, ...policies].map((o) => o.metadata.namespace))];
  const source = new ClusterSource(config, { fallbackNamespaces: namespaces });
  try {
    await source.start();
    const state = source.state;
    if (state.phase === 'disconnected') {
      process.stderr.write(`tagline: cluster ${source.context}: ${state.error}\n`);
      return 2;
    }
    for (const refused of state.forbidden) process.stderr.write(`tagline: cluster ${source.context}: ${refused}\n`);
    const readable = state.namespaces ?? (parsed.allNamespaces ? undefined : namespaces);
    const cluster = clusterSubjects(source.objects()).filter((o) => parsed.allNamespaces || namespaces.includes(o.namespace));
    const drift = findDrift([...workspaceSubjects(objects.imageRepositories), ...workspacePolicySubjects(policies)], cluster, {
      clusterNamespaces: readable && state.namespaces ? new Set(readable) : undefined,
    });
    for (const d of drift) process.stdout.write(describeDrift(d, source.context) + '\n');
    return drift.length > 0 ? 1 : 0;
  } finally {
    source.stop();
  }
}
