// Diagnostics of the objects Flux applies (kustomize roots built by common/kustomize), placed where a person fixes
// them: the field in the base file when the base has it with that value, else the patch or kustomization line that
// set it, else the base document's `kind`. The same finding from several roots is one diagnostic naming them all.
import { posix } from 'node:path';
import { isMap, isScalar, isSeq, parse, stringify, type Node } from 'yaml';
import { appliedObject, type AppliedObject } from '../../../common/kustomize/applied';
import type { RootBuild, WorkspaceBuild } from '../../../common/kustomize/builds';
import { KUSTOMIZATION_FILE_NAMES } from '../../../common/kustomize/roots';
import { hostText } from '../../../common/kustomize/paths';
import { OFFLINE_TARGET_NOTE, offlineTargetMissing } from './offlineBuild';
import { addDocumentObjects, emptyWorkspaceObjects, FLUX_IMAGE_GROUP, manifestDocument, parseChunk, type ManifestDocument, type ParsedManifest } from '../../../common/manifests';
import type { Range, WorkspaceObjects } from '../../../common/model';
import { ObjectIndex } from './references';
import { Severity, SOURCE, type SeverityValue, type TaglineDiagnostic } from './types';
import { validateDocument } from './validate';
import type { DetectedFlux } from '../../../common/flux/fluxVersion';
import { keyAt, nodeAt, nodeRange, pathAt, type PathSegment } from '../../../common/manifests/yamlPath';
import { UNMATCHED_PATCH_CODE, unmatchedPatchLocation, unmatchedPatchMessage } from './unmatchedPatches';

/** A built object next to the base document it came from. */
export interface BuiltDocument {
  root: RootBuild['root'];
  applied: AppliedObject;
  /** The object as a document whose source is the base document (for validation, hover and the reconciler). */
  document: ManifestDocument;
  base?: ManifestDocument;
  /** The root's post-build variables from the workspace (a Flux Kustomization's `substituteFrom`). */
  vars?: RootBuild['vars'];
}

export interface BuiltValidation {
  /** Files (module paths) that roots read: never validated standalone. */
  covered: Set<string>;
  /** Diagnostics by file URI. */
  diagnostics: Map<string, TaglineDiagnostic[]>;
  /** The objects as applied (ImageRepositories, skipped ones, ImagePolicies, Namespaces, Secrets, ServiceAccounts), with the base documents as source. */
  objects: WorkspaceObjects;
  documents: BuiltDocument[];
}

/** Module paths ↔ parsed files. */
export type ManifestsByPath = Map<string, ParsedManifest>;

const BUILD_CODE = 'kustomize.build';

function sameValue(node: Node | undefined, value: unknown): boolean {
  return node !== undefined && JSON.stringify(node.toJSON()) === JSON.stringify(value);
}

function valueAt(object: unknown, path: PathSegment[]): unknown {
  let value = object;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment as string];
  }
  return value;
}

function documentRange(document: ManifestDocument, node: Node | null | undefined): Range | undefined {
  const range = node ? nodeRange(document.chunk.lines, node) : undefined;
  return range ? { start: { line: range.start.line + document.startLine, character: range.start.character }, end: { line: range.end.line + document.startLine, character: range.end.character } } : undefined;
}

/** The base document of a built object: same group and kind in the origin file, the name matched if several. */
function baseDocument(applied: AppliedObject, manifests: ManifestsByPath): ManifestDocument | undefined {
  const manifest = applied.originFile ? manifests.get(applied.originFile) : undefined;
  if (!manifest) return undefined;
  const group = applied.apiVersion.split('/')[0];
  const candidates = manifest.documents.filter((d) => d.chunk.kind === applied.kind && (d.chunk.apiVersion ?? '').split('/')[0] === group);
  const named = (d: ManifestDocument) => {
    const value = d.chunk.value as { metadata?: { name?: unknown } } | undefined;
    return typeof value?.metadata?.name === 'string' && applied.name.includes(value.metadata.name);
  };
  return candidates.find(named) ?? candidates[0];
}

interface Located { uri: string; range: Range }

/** Strategic-merge patch documents and JSON 6902 operations that a kustomization file applies. */
function patchSources(kfile: string, manifests: ManifestsByPath): { document: ManifestDocument; path: PathSegment[] }[] {
  const manifest = manifests.get(kfile);
  const top = manifest?.documents[0];
  const value = top?.chunk.value as Record<string, unknown> | undefined;
  if (!top || !value) return [];
  const dir = posix.dirname(kfile);
  const out: { document: ManifestDocument; path: PathSegment[] }[] = [];
  const add = (file: string) => {
    for (const document of manifests.get(posix.join(dir, file))?.documents ?? []) out.push({ document, path: [] });
  };
  const lists = [value.patches, value.patchesJson6902].flatMap((l) => (Array.isArray(l) ? l : []));
  lists.forEach((entry) => {
    if (entry && typeof entry === 'object' && typeof (entry as { path?: unknown }).path === 'string') add((entry as { path: string }).path);
  });
  for (const entry of Array.isArray(value.patchesStrategicMerge) ? value.patchesStrategicMerge : []) {
    if (typeof entry === 'string' && !entry.includes('\n')) add(entry);
  }
  return out;
}

/** Where a JSON 6902 operation list (`- op: add, path: /spec/x, value: …`) sets `path`. */
function operationValue(document: ManifestDocument, path: PathSegment[]): Node | undefined {
  const contents = document.chunk.doc.contents;
  if (!isSeq(contents)) return undefined;
  const pointer = '/' + path.join('/');
  for (const item of contents.items) {
    if (!isMap(item)) continue;
    const op = item.items.find((p) => isScalar(p.key) && p.key.value === 'path')?.value;
    if (isScalar(op) && op.value === pointer) return (item.items.find((p) => isScalar(p.key) && p.key.value === 'value')?.value as Node | undefined) ?? undefined;
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The line of an inline patch (`patches: - patch: |`) that sets `path` to `value`: the field's own line in a
 * strategic-merge patch, the `value:` line of a JSON 6902 operation.
 */
function inlinePatch(document: ManifestDocument, patches: PathSegment[], path: PathSegment[], value: unknown): Range | undefined {
  const list = nodeAt(document.chunk.doc, patches);
  if (!isSeq(list)) return undefined;
  const pointer = '/' + path.join('/');
  for (const item of list.items) {
    const patch = isMap(item) ? item.items.find((p) => isScalar(p.key) && p.key.value === 'patch')?.value : undefined;
    if (!isScalar(patch) || typeof patch.value !== 'string' || !patch.range) continue;
    let parsed: unknown;
    try {
      parsed = parse(patch.value);
    } catch {
      continue;
    }
    const operation = Array.isArray(parsed) ? parsed.find((op) => op && typeof op === 'object' && (op as { path?: unknown }).path === pointer) as { value?: unknown } | undefined : undefined;
    const found = Array.isArray(parsed) ? operation?.value : valueAt(parsed, path);
    if (JSON.stringify(found) !== JSON.stringify(value)) continue;
    const text = document.chunk.text.slice(patch.range[0], patch.range[1]);
    const field = Array.isArray(parsed)
      ? new RegExp(`path:\\s*${escapeRegExp(pointer)}[\\s\\S]*?(value)\\s*:`).exec(text)
      : new RegExp(`(?:^|\\n)[ \\t-]*(${escapeRegExp(String(path[path.length - 1]))})\\s*:`).exec(text);
    if (!field) continue;
    const at = patch.range[0] + field.index + field[0].lastIndexOf(field[1]);
    const range = document.chunk.lines.rangeAt(at, at + field[1].length);
    return { start: { line: range.start.line + document.startLine, character: range.start.character }, end: { line: range.end.line + document.startLine, character: range.end.character } };
  }
  return undefined;
}

/** The kustomization keys that transformers set, by field. */
function transformerKey(path: PathSegment[]): string[] {
  const dotted = path.join('.');
  if (dotted === 'metadata.namespace') return ['namespace'];
  if (dotted === 'metadata.name') return ['namePrefix', 'nameSuffix'];
  if (dotted.startsWith('metadata.labels')) return ['labels', 'commonLabels'];
  if (dotted.startsWith('metadata.annotations')) return ['commonAnnotations'];
  // Other fields come from patches, found by value above; a patch that set nothing findable is not guessed at.
  return [];
}

const FLUX_KEYS: Record<string, string> = { namespace: 'targetNamespace', namePrefix: 'namePrefix', nameSuffix: 'nameSuffix', patches: 'patches', images: 'images' };

/** Finds where the built value at `path` was written. */
export function locateField(built: Pick<BuiltDocument, 'root' | 'applied' | 'base'>, path: PathSegment[], manifests: ManifestsByPath): Located | undefined {
  const { applied, base, root } = built;
  const value = valueAt(applied.object, path);
  if (base) {
    const node = nodeAt(base.chunk.doc, path);
    if (sameValue(node, value)) return { uri: base.uri, range: documentRange(base, node)! };
  }
  for (const transformation of [...applied.transformations].reverse()) {
    for (const { document } of patchSources(transformation.configuredIn, manifests)) {
      const node = nodeAt(document.chunk.doc, path) ?? operationValue(document, path);
      if (sameValue(node, value)) return { uri: document.uri, range: documentRange(document, node)! };
    }
    const kustomization = manifests.get(transformation.configuredIn)?.documents[0];
    // Flux's generator writes the Kustomization's fields into the root's kustomization (or a new one).
    const flux = root.flux && posix.dirname(transformation.configuredIn) === root.path
      ? manifests.get(root.flux.file)?.documents[root.flux.documentIndex] : undefined;
    const fluxPatch = flux && inlinePatch(flux, ['spec', 'patches'], path, value);
    if (flux && fluxPatch) return { uri: flux.uri, range: fluxPatch };
    const ownPatch = kustomization && inlinePatch(kustomization, ['patches'], path, value);
    if (kustomization && ownPatch) return { uri: kustomization.uri, range: ownPatch };
    for (const key of transformerKey(path)) {
      const candidates: [ManifestDocument | undefined, PathSegment[]][] = [[flux, FLUX_KEYS[key] ? ['spec', FLUX_KEYS[key]] : []], [kustomization, [key]]];
      for (const [document, at] of candidates) {
        const node = document && at.length ? nodeAt(document.chunk.doc, at) : undefined;
        if (!document || !node) continue;
        const set = node.toJSON();
        // namespace: the value itself; namePrefix/nameSuffix: part of the name.
        if (key === 'namespace' && set !== value) continue;
        if ((key === 'namePrefix' || key === 'nameSuffix') && !String(value).includes(String(set))) continue;
        return { uri: document.uri, range: documentRange(document, keyNode(document, String(at[at.length - 1]), at.slice(0, -1)) ?? node)! };
      }
    }
  }
  return undefined;
}

/** A value post-build substitution wrote (fluxcd/pkg kustomize SubstituteVariables): the base field naming the variable. */
function substituted(built: BuiltDocument, path: PathSegment[]): Located | undefined {
  const node = built.base && nodeAt(built.base.chunk.doc, path);
  return built.base && isScalar(node) && typeof node.value === 'string' && node.value.includes('${')
    ? { uri: built.base.uri, range: documentRange(built.base, node)! } : undefined;
}

function keyNode(document: ManifestDocument, key: string, parent: PathSegment[] = []): Node | undefined {
  const map = parent.length ? nodeAt(document.chunk.doc, parent) : document.chunk.doc.contents;
  if (!isMap(map)) return undefined;
  return (map.items.find((p) => isScalar(p.key) && p.key.value === key)?.key as Node | undefined) ?? undefined;
}

function kindRange(document: ManifestDocument): Range {
  return documentRange(document, nodeAt(document.chunk.doc, ['kind'])) ?? document.range;
}

/** Where a root's own problems go: its Flux Kustomization's `spec.path`, else its kustomization file. */
function rootLocation(build: RootBuild, manifests: ManifestsByPath): Located | undefined {
  const { root } = build;
  if (root.flux) {
    const flux = manifests.get(root.flux.file)?.documents[root.flux.documentIndex];
    // A Kustomization that is itself built: its path where it was written, or the patch that set it.
    const built = root.built && root.builtBy && locateField({ root: root.builtBy, applied: root.built, base: flux }, ['spec', 'path'], manifests);
    if (built) return built;
    if (flux) return { uri: flux.uri, range: documentRange(flux, nodeAt(flux.chunk.doc, ['spec', 'path'])) ?? kindRange(flux) };
  }
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const document = manifests.get(posix.join(root.path, name))?.documents[0];
    if (document) return { uri: document.uri, range: documentRange(document, nodeAt(document.chunk.doc, ['kind'])) ?? document.range };
  }
  return undefined;
}

/** kustomize names the file and, for YAML errors, the line: `…/kustomization.yaml: yaml: line 5: …`. */
function errorLocation(message: string, build: RootBuild, manifests: ManifestsByPath): Located | undefined {
  for (const file of build.response.read) {
    const at = message.indexOf(file);
    if (at === -1) continue;
    const manifest = manifests.get(file);
    if (!manifest) continue;
    const line = /line (\d+)/.exec(message.slice(at));
    const l = line ? Math.max(0, Number(line[1]) - 1) : 0;
    return { uri: manifest.uri, range: { start: { line: l, character: 0 }, end: { line: l, character: 0 } } };
  }
  return undefined;
}

/** Where a kustomization lists an entry (`built without remote base X`). */
function entryLocation(entry: string, build: RootBuild, manifests: ManifestsByPath): Located | undefined {
  for (const kfile of build.response.kustomizations) {
    const manifest = manifests.get(kfile);
    const document = manifest?.documents[0];
    if (!document) continue;
    const at = document.chunk.text.indexOf(entry);
    if (at !== -1) return { uri: document.uri, range: documentRange(document, { range: [at, at + entry.length, at + entry.length] } as Node)! };
  }
  return undefined;
}

function fluxKustomizationDocument(build: RootBuild, manifests: ManifestsByPath): ManifestDocument | undefined {
  return build.root.flux ? manifests.get(build.root.flux.file)?.documents[build.root.flux.documentIndex] : undefined;
}

class Findings {
  private readonly groups = new Map<string, { uri: string; diagnostic: TaglineDiagnostic; labels: string[] }>();

  add(uri: string, diagnostic: Omit<TaglineDiagnostic, 'source'>, label?: string): void {
    const key = JSON.stringify([uri, diagnostic.range, diagnostic.code, diagnostic.message]);
    const group = this.groups.get(key);
    if (!group) this.groups.set(key, { uri, diagnostic: { ...diagnostic, source: SOURCE }, labels: label ? [label] : [] });
    else if (label && !group.labels.includes(label)) group.labels.push(label);
  }

  byUri(): Map<string, TaglineDiagnostic[]> {
    const out = new Map<string, TaglineDiagnostic[]>();
    for (const { uri, diagnostic, labels } of this.groups.values()) {
      const message = labels.length ? `${diagnostic.message} (${labels.join(', ')})` : diagnostic.message;
      const list = out.get(uri) ?? [];
      list.push({ ...diagnostic, message });
      out.set(uri, list);
    }
    for (const list of out.values()) list.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
    return out;
  }
}

function builtDocuments(build: RootBuild, manifests: ManifestsByPath): BuiltDocument[] {
  return build.response.objects.map((object) => {
    const applied = appliedObject(object, build.root.path);
    const base = baseDocument(applied, manifests);
    // No folding: a long quoted string (a messageTemplate) stays on its line, as in kustomize's output.
    const chunk = parseChunk(stringify(applied.object, { lineWidth: 0 }));
    const document = manifestDocument(base?.uri ?? `kustomize:${build.root.id}`, base?.index ?? 0, 0, chunk);
    if (base) {
      const source = { uri: base.uri, documentIndex: base.index, range: base.range };
      if (document.imageRepository) document.imageRepository = { ...document.imageRepository, source: base.imageRepository?.source ?? { ...source, imageRange: base.chunk.imageRange && documentRange(base, nodeAt(base.chunk.doc, ['spec', 'image'])) } };
      if (document.secret) document.secret = { ...document.secret, source };
      if (document.serviceAccount) document.serviceAccount = { ...document.serviceAccount, source };
    }
    return { root: build.root, applied, document, base, vars: build.vars };
  });
}

/**
 * Validates every root's built objects. `raw` are the objects of files no root reads (Secrets and ServiceAccounts
 * there still answer references). `flux` is the Flux the workspace runs, which judges each apiVersion.
 */
export function validateBuilds(workspace: WorkspaceBuild, manifests: ManifestsByPath, raw: WorkspaceObjects, flux: readonly DetectedFlux[] = []): BuiltValidation {
  const covered = new Set<string>();
  const findings = new Findings();
  const documents: BuiltDocument[] = [];
  const warn = (where: Located | undefined, severity: SeverityValue, code: string, message: string, label?: string) => {
    if (where) findings.add(where.uri, { range: where.range, severity, code, message }, label);
  };

  for (const build of workspace.builds) {
    for (const file of build.response.read) covered.add(file);
    const { root, response, vars } = build;
    if (response.error) {
      const offline = offlineTargetMissing(response);
      warn(errorLocation(response.error, build, manifests) ?? rootLocation(build, manifests), offline ? Severity.Information : Severity.Error,
        BUILD_CODE, hostText(response.error) + (offline ? OFFLINE_TARGET_NOTE : ''), root.label);
    }
    for (const warning of response.warnings) {
      const entry = /^built without (?:remote base|Helm chart) (\S+)/.exec(warning)?.[1] ?? '';
      warn(entryLocation(entry, build, manifests) ?? rootLocation(build, manifests), Severity.Warning, 'kustomize.offline', warning, root.label);
    }
    for (const unmatched of response.unmatched ?? []) {
      warn(unmatchedPatchLocation(unmatched, build, manifests), Severity.Warning, UNMATCHED_PATCH_CODE, unmatchedPatchMessage(unmatched.target), root.label);
    }
    const flux = fluxKustomizationDocument(build, manifests);
    const substituteFrom = flux && (documentRange(flux, keyNode(flux, 'substituteFrom', ['spec', 'postBuild'])) ?? kindRange(flux));
    for (const missing of vars?.missing ?? []) warn(flux && { uri: flux.uri, range: substituteFrom! }, Severity.Warning, 'postBuild.substituteFrom', missing);
    for (const { source, names } of vars?.unknown ?? []) {
      warn(flux && { uri: flux.uri, range: substituteFrom! }, Severity.Information, 'postBuild.sops',
        `${source} is SOPS-encrypted: ${names.map((n) => `\${${n}}`).join(', ')} left as written`);
    }
    documents.push(...builtDocuments(build, manifests));
  }
  for (const flux of workspace.unresolved) {
    const document = manifests.get(flux.file)?.documents[flux.documentIndex];
    const spec = (flux.object.spec ?? {}) as { path?: unknown };
    if (!document) continue;
    const where = { uri: document.uri, range: documentRange(document, nodeAt(document.chunk.doc, ['spec', 'path'])) ?? kindRange(document) };
    if (typeof spec.path === 'string' && spec.path.includes('${')) {
      // The Kustomization that applies this one substitutes the variables first (its postBuild), so the folder is
      // known only then (hmcts/sds-flux-config: `./apps/toffee/${ENVIRONMENT}/base`); builtRoots builds it when a
      // root's build gives them values.
      warn(where, Severity.Information, 'kustomization.pathVariables',
        `kustomization path ${spec.path} names post-build variables of the Kustomization that applies it: not built here`, flux.builtBy);
    } else {
      warn(where, Severity.Warning, 'kustomization.pathNotFound', `kustomization path not found: ${String(spec.path ?? './')} is not a folder of this workspace`, flux.builtBy);
    }
  }

  const objects = emptyWorkspaceObjects();
  for (const { document } of documents) addDocumentObjects(objects, document);
  const index = new ObjectIndex({
    secrets: [...raw.secrets, ...objects.secrets],
    serviceAccounts: [...raw.serviceAccounts, ...objects.serviceAccounts],
    imageRepositories: [...raw.imageRepositories, ...objects.imageRepositories],
    imagePolicies: [...(raw.imagePolicies ?? []), ...objects.imagePolicies!],
    namespaces: [...(raw.namespaces ?? []), ...objects.namespaces!],
  });
  for (const built of documents) {
    // Every image.toolkit.fluxcd.io kind: ImageRepository, ImagePolicy, ImageUpdateAutomation.
    if (typeof built.applied.apiVersion !== 'string' || !built.applied.apiVersion.startsWith(FLUX_IMAGE_GROUP + '/')) continue;
    for (const diagnostic of validateDocument(built.document, index, flux)) {
      const hit = pathAt(built.document, diagnostic.range.start);
      // A finding on a key (a required field missing below it) goes on the base's own key, where the raw check puts it.
      const baseKey = hit?.onKey && built.base ? documentRange(built.base, keyAt(built.base.chunk.doc, hit.path)) : undefined;
      const located = baseKey ? { uri: built.base!.uri, range: baseKey } : hit ? locateField(built, hit.path, manifests) ?? substituted(built, hit.path) : undefined;
      const where = located ?? (built.base ? { uri: built.base.uri, range: kindRange(built.base) } : undefined);
      const { data: _fixes, source: _source, ...rest } = diagnostic;
      if (where) findings.add(where.uri, { ...rest, range: where.range }, built.root.label);
    }
  }
  return { covered, diagnostics: findings.byUri(), objects, documents };
}
