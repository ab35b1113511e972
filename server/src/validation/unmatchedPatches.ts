// Warnings for kustomization patches whose target selects nothing. kustomize applies such a patch to no resource
// without a word (sigs.k8s.io/kustomize/api internal/builtins/PatchTransformer.go: `m.Select(*p.Target)` comes back
// empty); the kustomize module reports the entries and this puts each warning on the entry's `target:` key.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { RootBuild } from '../../../common/kustomize/builds';
import type { PatchTarget, UnmatchedPatch } from '../../../common/kustomize/protocol';
import type { ManifestDocument } from '../../../common/manifests';
import type { Range } from '../../../common/model';
import { nodeAt, nodeRange, type PathSegment } from '../../../common/manifests/yamlPath';
import type { ManifestsByPath } from './built';

export const UNMATCHED_PATCH_CODE = 'kustomize.patchTargetUnmatched';

const SELECTOR_FIELDS: (keyof PatchTarget)[] = ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'];

/** `patch target (kind: ImageRepository, annotationSelector: team=a) matches no resource; the patch changes nothing` */
export function unmatchedPatchMessage(target: PatchTarget): string {
  const fields = SELECTOR_FIELDS.filter((f) => target[f]).map((f) => `${f}: ${target[f]}`);
  return `patch target (${fields.join(', ')}) matches no resource; the patch changes nothing`;
}

function rangeIn(document: ManifestDocument, node: Node | null | undefined): Range | undefined {
  const range = node ? nodeRange(document.chunk.lines, node) : undefined;
  return range && { start: { line: range.start.line + document.startLine, character: range.start.character }, end: { line: range.end.line + document.startLine, character: range.end.character } };
}

/** The `target` key of the list entry at `path` (else the entry itself). */
function targetKey(document: ManifestDocument, path: PathSegment[]): Range | undefined {
  const entry = nodeAt(document.chunk.doc, path);
  if (!isMap(entry)) return undefined;
  const key = entry.items.find((pair) => isScalar(pair.key) && pair.key.value === 'target')?.key as Node | undefined;
  return rangeIn(document, key ?? entry);
}

function listLength(document: ManifestDocument | undefined, path: PathSegment[]): number {
  const list = document ? nodeAt(document.chunk.doc, path) : undefined;
  return isSeq(list) ? list.items.length : 0;
}

/**
 * Where an unmatched entry is written: in the kustomization file, or, for the entries Flux's generator appended to
 * a root's kustomization, in the Flux Kustomization's `spec.patches`.
 */
export function unmatchedPatchLocation(unmatched: UnmatchedPatch, build: RootBuild, manifests: ManifestsByPath): { uri: string; range: Range } | undefined {
  const kustomization = manifests.get(unmatched.kustomization)?.documents[0];
  const own = listLength(kustomization, [unmatched.field]);
  if (kustomization && unmatched.index < own) {
    const range = targetKey(kustomization, [unmatched.field, unmatched.index]);
    return range && { uri: kustomization.uri, range };
  }
  const flux = build.root.flux;
  if (!flux || unmatched.field !== 'patches') return undefined;
  const document = manifests.get(flux.file)?.documents[flux.documentIndex];
  const range = document && targetKey(document, ['spec', 'patches', unmatched.index - own]);
  return range && { uri: document!.uri, range };
}
