// The objects image-update markers are resolved against. image-automation-controller reads the markers from the
// files of its git checkout as written (internal/update/filereader.go `ScreeningLocalReader`), but each setter is
// named after an ImagePolicy it lists in the cluster, `<policy.Namespace>:<policy.Name>`
// (internal/update/setters.go `UpdateWithSetters`, with the policies of internal/controller/
// imageupdateautomation_controller.go `getPolicies`): the object as kustomize-controller applied it, with the
// namespace, prefix and suffix its kustomization and Flux Kustomization gave it. So markers are looked up among
// the built objects, wherever the marker itself is written.
import type { WorkspaceObjects } from '../../../common/model';
import { FLUX_IMAGE_GROUP } from '../../../common/manifests';
import { isRecord } from '../../../common/manifests/objects';
import type { BuiltValidation } from './built';
import type { AppliedPolicyName, MarkerPolicyIndex } from './markers';
import { ObjectIndex } from './references';

function writtenName(value: unknown): { namespace: string; name: string } | undefined {
  const metadata = isRecord(value) && isRecord(value.metadata) ? value.metadata : undefined;
  if (!metadata || typeof metadata.name !== 'string') return undefined;
  return { namespace: typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default', name: metadata.name };
}

/**
 * An ObjectIndex of the objects as Flux applies them (the built objects of files kustomize roots read, the others
 * as written) that also knows, for an ImagePolicy written in a file a root reads, the names it is applied under.
 */
export class AppliedObjectIndex extends ObjectIndex implements MarkerPolicyIndex {
  private readonly renamed = new Map<string, AppliedPolicyName[]>();

  constructor(objects: WorkspaceObjects, built: BuiltValidation | undefined) {
    super(objects);
    for (const { applied, base, root } of built?.documents ?? []) {
      if (!base || applied.kind !== 'ImagePolicy' || !applied.apiVersion.startsWith(`${FLUX_IMAGE_GROUP}/`)) continue;
      // Read from the document itself: a base that is not a valid ImagePolicy alone (a root patches it) has none.
      const written = writtenName(base.chunk.value);
      if (!written) continue;
      const namespace = applied.namespace ?? 'default';
      if (written.namespace === namespace && written.name === applied.name) continue;
      const key = `${written.namespace}/${written.name}`;
      const list = this.renamed.get(key) ?? [];
      if (!list.some((a) => a.namespace === namespace && a.name === applied.name && a.root === root.label)) list.push({ namespace, name: applied.name, root: root.label });
      this.renamed.set(key, list);
    }
  }

  /** The namespaces and names (with the root) under which the ImagePolicy written as `namespace/name` is applied. */
  appliedAs(namespace: string, name: string): AppliedPolicyName[] {
    return this.renamed.get(`${namespace}/${name}`) ?? [];
  }
}

const cache = new WeakMap<BuiltValidation, { references: ObjectIndex; index: AppliedObjectIndex }>();

/**
 * The index markers are resolved against in the language server: `references` (the workspace as written) until
 * the kustomize roots are built, then an AppliedObjectIndex of `objects()` (the objects as Flux applies them),
 * the same one while neither the build nor the references change, so per-document results cached against it stay
 * valid.
 */
export function markerPolicyIndex(references: ObjectIndex, built: BuiltValidation | undefined, objects: () => WorkspaceObjects): ObjectIndex & MarkerPolicyIndex {
  if (!built) return references;
  const cached = cache.get(built);
  if (cached?.references === references) return cached.index;
  const index = new AppliedObjectIndex(objects(), built);
  cache.set(built, { references, index });
  return index;
}
