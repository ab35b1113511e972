// Warnings for ImagePolicies that will silently stop advancing, on the stored tags of their repository
// (common/flux/policy/pitfalls.ts). Tags come from the caller: the extension host's tag database in the editor
// (tagline/storedTags), the database `tagline scan` writes in `tagline check`.
import { policyPitfalls, type PitfallKind } from '../../../common/flux/policy/pitfalls';
import { parseImageReference } from '../../../common/flux/reference';
import type { ManifestDocument, ParsedManifest } from '../../../common/manifests';
import { keyAt, nodeAt, nodeRange } from '../../../common/manifests/yamlPath';
import type { ImagePolicyObject } from '../../../common/model';
import type { ReferenceIndex } from './references';
import { shiftDiagnostic, Severity, SOURCE, type QuickFix, type TaglineDiagnostic } from './types';

/** policyImage per policy object (one per parsed document), valid while the same index is used. */
const images = new WeakMap<ImagePolicyObject, { index: ReferenceIndex; image: string | undefined }>();

/** The canonical image name of the repository a policy reads, when the workspace holds it. */
export function policyImage(policy: ImagePolicyObject, index: ReferenceIndex): string | undefined {
  const cached = images.get(policy);
  if (cached?.index === index) return cached.image;
  const image = repositoryImage(policy, index);
  images.set(policy, { index, image });
  return image;
}

function repositoryImage(policy: ImagePolicyObject, index: ReferenceIndex): string | undefined {
  const namespace = policy.spec.imageRepositoryRef.namespace || policy.metadata.namespace;
  const repository = index.imageRepositories(namespace, policy.spec.imageRepositoryRef.name)[0];
  if (!repository) return undefined;
  const parsed = parseImageReference(repository.spec.image, repository.spec.insecure === true);
  return parsed.ok ? parsed.reference.canonicalImageName : undefined;
}

/** The canonical image names whose stored tags the file's ImagePolicies need. */
export function pitfallImages(manifest: ParsedManifest, index: ReferenceIndex): string[] {
  const names = manifest.documents.map((d) => (d.imagePolicy ? policyImage(d.imagePolicy, index) : undefined));
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

function where(kind: PitfallKind, policy: ImagePolicyObject): (string | number)[] {
  if (kind === 'patternMatchesNothing') return ['spec', 'filterTags', 'pattern'];
  if (kind === 'extractCollides') return ['spec', 'filterTags', 'extract'];
  if (kind === 'rangeMatchesNothing') return ['spec', 'policy', 'semver', 'range'];
  return ['spec', 'policy', policy.spec.policy.alphabetical ? 'alphabetical' : 'numerical'];
}

function documentPitfalls(document: ManifestDocument, index: ReferenceIndex, storedTags: (canonicalImageName: string) => readonly string[] | null | undefined): TaglineDiagnostic[] {
  const policy = document.imagePolicy;
  const image = policy ? policyImage(policy, index) : undefined;
  const tags = image ? storedTags(image) : undefined;
  if (!policy || !tags || tags.length === 0) return [];
  const { chunk } = document;
  const out: TaglineDiagnostic[] = [];
  for (const pitfall of policyPitfalls(policy.spec, tags)) {
    const path = where(pitfall.kind, policy);
    const key = keyAt(chunk.doc, path);
    const range = pitfall.kind === 'orderOverSemver' ? nodeRange(chunk.lines, key) : nodeRange(chunk.lines, nodeAt(chunk.doc, path)) ?? nodeRange(chunk.lines, key);
    if (!range) continue;
    const fixes: QuickFix[] = [];
    const value = nodeRange(chunk.lines, nodeAt(chunk.doc, path));
    if (pitfall.fix && value) {
      const indent = ' '.repeat(range.start.character);
      // A block mapping's range ends at the start of the next line: keep that line break.
      const lineBreak = value.end.character === 0 && value.end.line > range.start.line ? '\n' : '';
      fixes.push({
        title: 'Select by semantic version (policy.semver, range >=0.0.0)',
        preferred: true,
        edits: [{ range: { start: range.start, end: value.end }, newText: `semver:\n${indent}  range: '${pitfall.fix.policy.semver!.range}'${lineBreak}` }],
      });
    }
    out.push(shiftDiagnostic({
      range, severity: Severity.Warning, code: `policy.${pitfall.kind}`, source: SOURCE, message: pitfall.message,
      ...(fixes.length ? { data: { fixes } } : {}),
    }, document.startLine));
  }
  return out;
}

/** Results per document wrapper, valid while the same index and the same stored tags (same array) are used. */
const pitfallChecks = new WeakMap<ManifestDocument, { index: ReferenceIndex; tags: readonly string[] | null | undefined; diagnostics: TaglineDiagnostic[] }>();

/**
 * Warnings for the file's ImagePolicies whose choices the stored tags show to be wrong. `storedTags` should give
 * the same array while an image's tags do not change: each document's result is then kept across edits elsewhere.
 */
export function policyPitfallDiagnostics(
  manifest: ParsedManifest, index: ReferenceIndex, storedTags: (canonicalImageName: string) => readonly string[] | null | undefined,
): TaglineDiagnostic[] {
  return manifest.documents.flatMap((d) => {
    if (!d.imagePolicy) return [];
    const image = policyImage(d.imagePolicy, index);
    const tags = image ? storedTags(image) : undefined;
    const cached = pitfallChecks.get(d);
    if (cached?.index === index && cached.tags === tags) return cached.diagnostics;
    const diagnostics = documentPitfalls(d, index, () => tags);
    pitfallChecks.set(d, { index, tags, diagnostics });
    return diagnostics;
  });
}
