// `tagline get [--context C] [-n NS | -A]`: the cluster's ImageRepositories and ImagePolicies, printed as
// `flux get image repository` and `flux get image policy` print them (fluxcd/flux2 cmd/flux/get.go).
import { delimiter } from 'node:path';
import { formatPolicyTable, formatTable } from '../common/flux/table';
import type { ImagePolicyObject, ImagePolicyStatus, ImageRepositoryObject, ImageRepositoryStatus } from '../common/model';
import {
  discoverImageGroup, FLUX_IMAGE_GROUP, FLUX_IMAGE_KINDS, kubernetesError, listObjects, loadKubeConfig,
  type ClusterObject,
} from '../client/src/kubernetes';
import { parseClusterArgs } from './cluster-args';

const USAGE = 'usage: tagline get [--kubeconfig FILE] [--context NAME] [-n NAMESPACE | -A]';

/** flux's default namespace (fluxcd/flux2 cmd/flux/main.go: `flux-system`, or $FLUX_SYSTEM_NAMESPACE). */
export function defaultFluxNamespace(env: NodeJS.ProcessEnv = process.env): string {
  return env.FLUX_SYSTEM_NAMESPACE || 'flux-system';
}

export async function runGet(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const parsed = parseClusterArgs(args);
  if (typeof parsed === 'string' || parsed.paths.length > 0) {
    const message = typeof parsed === 'string' ? parsed : `unknown argument: ${parsed.paths[0]}`;
    process.stderr.write((message ? message + '\n' : '') + USAGE + '\n');
    return message ? 2 : 0;
  }
  const config = loadKubeConfig({ files: parsed.kubeconfig?.split(delimiter), context: parsed.context, env });
  const namespace = parsed.allNamespaces ? undefined : parsed.namespace ?? defaultFluxNamespace(env);
  const { version } = await discoverImageGroup(config);
  const byKind = new Map<string, ClusterObject[]>();
  for (const kind of FLUX_IMAGE_KINDS) {
    try {
      const { objects } = await listObjects(config, { kind, group: FLUX_IMAGE_GROUP, version, namespace });
      byKind.set(kind, objects.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)));
    } catch (err) {
      throw kubernetesError(err, config, 'GET');
    }
  }
  const where = namespace === undefined ? 'any' : namespace;
  const out: string[] = [];
  const repositories = byKind.get('ImageRepository')!;
  const policies = byKind.get('ImagePolicy')!;
  if (repositories.length > 0) out.push(formatTable(repositories.map(asReport)));
  else process.stderr.write(`✗ no imagerepository objects found in ${where} namespace\n`);
  if (policies.length > 0) {
    out.push(formatPolicyTable(policies.map(asPolicyReport)));
  } else process.stderr.write(`✗ no imagepolicy objects found in ${where} namespace\n`);
  process.stdout.write(out.join('\n'));
  return 0;
}

/** A cluster ImageRepository in the shape the `flux get` table reads. */
function asReport(o: ClusterObject): { object: ImageRepositoryObject; status: ImageRepositoryStatus; events: [] } {
  const object = { apiVersion: o.apiVersion, kind: 'ImageRepository', metadata: { namespace: o.namespace, name: o.name }, spec: o.spec, specHash: '' } as unknown as ImageRepositoryObject;
  const status = { observedGeneration: o.status.observedGeneration ?? -1, conditions: o.status.conditions ?? [], lastScanResult: o.status.lastScanResult } as ImageRepositoryStatus;
  return { object, status, events: [] };
}

/** A cluster ImagePolicy in the shape the `flux get image policy` table reads. */
function asPolicyReport(o: ClusterObject): { object: ImagePolicyObject; status: ImagePolicyStatus; events: [] } {
  const object = { apiVersion: o.apiVersion, kind: 'ImagePolicy', metadata: { namespace: o.namespace, name: o.name }, spec: o.spec } as unknown as ImagePolicyObject;
  const status = { observedGeneration: o.status.observedGeneration ?? -1, conditions: o.status.conditions ?? [], latestRef: o.status.latestRef } as unknown as ImagePolicyStatus;
  return { object, status, events: [] };
}
