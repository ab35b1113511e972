// Which version of image.toolkit.fluxcd.io to read: v1 when the API server serves it, else the group's
// preferred version (kubectl's choice for an unqualified resource, k8s.io/client-go discovery
// `ServerPreferredResources`).
import { ApisApi, type KubeConfig } from '@kubernetes/client-node';
import { kubernetesError, KubernetesError } from './errors';

export const FLUX_IMAGE_GROUP = 'image.toolkit.fluxcd.io';

export interface ServedGroup {
  /** The version Tagline lists and watches (`v1` when served). */
  version: string;
  /** Every served version, the preferred first. */
  served: string[];
}

/**
 * Reads `/apis` and returns the group's versions. Throws a KubernetesError with kubectl's text
 * (`the server doesn't have a resource type "imagerepositories"`) when Flux's image CRDs are not installed.
 */
export async function discoverImageGroup(config: KubeConfig): Promise<ServedGroup> {
  let groups;
  try {
    groups = await config.makeApiClient(ApisApi).getAPIVersions();
  } catch (err) {
    throw kubernetesError(err, config, 'GET', `${config.getCurrentCluster()?.server ?? ''}/apis`);
  }
  const group = groups.groups.find((g) => g.name === FLUX_IMAGE_GROUP);
  if (!group || group.versions.length === 0) {
    throw new KubernetesError('the server doesn\'t have a resource type "imagerepositories"', 404);
  }
  const preferred = group.preferredVersion?.version ?? group.versions[0].version;
  const served = [preferred, ...group.versions.map((v) => v.version).filter((v) => v !== preferred)];
  return { version: served.includes('v1') ? 'v1' : preferred, served };
}
