// What the controller would reconcile: an ImageRepository whose apiVersion the repository's Flux does not serve
// never reaches the API server, so it is not scanned and is reported with the reason instead.
import { imageApiVersion, judgeApiVersion } from '../flux/apiVersionVerdict';
import { fluxLabel, type DetectedFlux } from '../flux/fluxVersion';
import type { WorkspaceObjects } from '../model';

/**
 * `objects` with every ImageRepository at an apiVersion `found` does not serve moved to `skipped`, with the
 * reason `apiVersion image.toolkit.fluxcd.io/v1beta2 is not served by Flux 2.9.5`. A version served by only some
 * of several Flux installs found, or judged without any Flux found, is still scanned (diagnostics warn about it).
 */
export function servedObjects(objects: WorkspaceObjects, found: readonly DetectedFlux[]): WorkspaceObjects {
  const imageRepositories: WorkspaceObjects['imageRepositories'] = [];
  const skipped = [...(objects.skipped ?? [])];
  for (const object of objects.imageRepositories) {
    const version = imageApiVersion(object.apiVersion) ?? '';
    const verdict = judgeApiVersion('ImageRepository', version, found);
    if (verdict.level !== 'unserved') {
      imageRepositories.push(object);
      continue;
    }
    const by = found.length > 0 ? found.map(fluxLabel).join(' or ') : 'any Flux release';
    skipped.push({
      apiVersion: object.apiVersion, kind: 'ImageRepository', metadata: { name: object.metadata.name, namespace: object.metadata.namespace },
      reason: `apiVersion ${object.apiVersion} is not served by ${by}`,
      ...(object.source ? { source: object.source } : {}),
    });
  }
  return { ...objects, imageRepositories, ...(skipped.length > 0 ? { skipped } : {}) };
}
