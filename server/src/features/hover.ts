// Hover: field docs everywhere, the canonical name and Flux's view on spec.image, the meaning (and effect on
// the stored tags) of an exclusionList entry.
import { isScalar } from 'yaml';
import { documentAtLine, type ParsedManifest } from '../../../common/manifests';
import { getCondition } from '../../../common/flux/conditions';
import { compileExclusion, DEFAULT_EXCLUSION } from '../../../common/flux/exclusion';
import { parseImageReference } from '../../../common/flux/reference';
import { objectKey, type ImageRepositoryObject, type Position, type Range } from '../../../common/model';
import { Commands, type ObjectStatus } from '../../../common/protocol';
import { automationFieldDocMarkdown } from '../docs/automationFields';
import { fieldDocMarkdown } from '../docs/fields';
import { isImageUpdateAutomation } from '../validation';
import { POLICY_FIELD_DOCS } from '../docs/policyFields';
import { explainPolicy } from '../../../common/flux/policy/explain';
import type { ImagePolicySpec, ImagePolicyStatus } from '../../../common/model';
import type { ManifestDocument } from '../../../common/manifests';
import { namespaceOf } from '../validation/references';
import { SCREENING_TOKEN, setterValue, type ImagePolicyMarker } from '../../../common/flux/markers/markers';
import { describeReformats, reformatReport } from '../../../common/flux/markers/reformat';
import { encodeSetterValue, scalarText } from '../../../common/flux/markers/quoting';
import type { AutomationScope } from '../../../common/kustomize/automations';
import type { AppliedPolicyName } from '../validation/markers';
import { chunkMarkers } from '../validation/markers';
import { applyPolicy } from '../../../common/flux/policy/policies';
import type { ImagePolicyObject, NamespaceObject } from '../../../common/model';
import { policyAccessDenied } from '../../../common/flux/acl';
import { nodeRange, pathAt } from '../../../common/manifests/yamlPath';
import type { StatusStore } from '../workspace/statuses';
import { timeAgo } from '../../../common/timeAgo';

export interface HoverResult { contents: { kind: 'markdown'; value: string }; range?: Range }

export interface HoverContext {
  statuses: StatusStore;
  /** Every stored tag for a canonical name, or null when no reconciler answers (e.g. in Neovim). */
  storedTags(canonicalImageName: string): Promise<string[] | null>;
  now(): number;
  /** ImageRepositories of the workspace by namespace and name (for ImagePolicy hovers). */
  imageRepositories?(namespace: string, name: string): ImageRepositoryObject[];
  /** ImagePolicies of the workspace by namespace and name (for marker hovers). */
  imagePolicies?(namespace: string, name: string): ImagePolicyObject[];
  /** Namespace manifests of the workspace by name (their labels decide accessFrom). */
  namespaces?(name: string): NamespaceObject[];
  /** The whole file's text, for what the automation's commit would reformat in it (marker hovers). */
  fileText?: string;
  /**
   * The ImageUpdateAutomations that would write a marker of the file `uri`; undefined when the workspace holds
   * none (then nothing is said about automations).
   */
  markerWriters?(uri: string, marker: ImagePolicyMarker): AutomationScope[] | undefined;
  /** The names kustomize roots apply an ImagePolicy written as `namespace/name` under (appliedPolicies.ts). */
  appliedPolicies?(namespace: string, name: string): AppliedPolicyName[];
}

export function commandLink(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/** A code span that survives any tag or pattern text, including backtick runs (CommonMark §6.1). */
function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  return longestRun > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/**
 * Condition messages quote registry responses; escaped, a hostile registry cannot put links, images (tracking
 * requests) or command links into a hover.
 */
function plainText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#!|<>~&]/g, (ch) => `\\${ch}`).replace(/\r?\n/g, ' ');
}

export function statusMarkdown(object: ImageRepositoryObject, status: ObjectStatus, now: number): string {
  const lines: string[] = [];
  const ready = getCondition(status.status, 'Ready');
  const key = objectKey(object.metadata);
  const rescan = commandLink(Commands.rescan, [{ key, uri: object.source?.uri ?? status.uri }]);
  if (ready) lines.push(`Ready=${ready.status} (${plainText(ready.reason)}): ${plainText(ready.message)}`);
  const scan = status.status.lastScanResult;
  if (scan) {
    lines.push(`${scan.tagCount} tag${scan.tagCount === 1 ? '' : 's'} · scanned ${timeAgo(scan.scanTime, now)} · [Rescan](${rescan})`);
    if (scan.latestTags?.length) {
      lines.push('Latest tags:\n' + scan.latestTags
        .map((tag) => `- ${code(tag)} [copy](${commandLink(Commands.copyTag, [{ tag }])})`).join('\n'));
    }
  } else {
    lines.push(`Not scanned yet${status.scanning ? ' (scanning now)' : ''} · [Rescan](${rescan})`);
  }
  return lines.join('\n\n');
}

async function exclusionMarkdown(pattern: string, canonical: string | undefined, ctx: HoverContext): Promise<string> {
  const compiled = compileExclusion(pattern);
  if (!compiled.ok) return `Exclusion pattern ${code(pattern)} does not compile as Go RE2: ${compiled.message}`;
  const lines = [
    `Exclusion pattern ${code(pattern)} (Go RE2): a tag is not stored when the pattern matches **anywhere** in it` +
      `${pattern.startsWith('^') && pattern.endsWith('$') ? '' : ' (use `^` and `$` to match whole tags)'}.`,
  ];
  if (canonical) {
    const tags = await ctx.storedTags(canonical);
    if (tags) {
      let removed = 0;
      for (const tag of tags) if (compiled.matches(tag)) removed++;
      lines.push(`Removes ${removed} of ${tags.length} scanned tags of ${code(canonical)}.`);
    }
  }
  return lines.join('\n\n');
}

/** What the policy selects from the stored tags of its repository, the next candidates and what was dropped. */
export async function policySelectionMarkdown(document: ManifestDocument, ctx: HoverContext): Promise<string | undefined> {
  const spec = (document.chunk.value as { spec?: ImagePolicySpec } | undefined)?.spec;
  const ref = spec?.imageRepositoryRef;
  if (!spec || !ref || typeof ref.name !== 'string' || !ctx.imageRepositories) return undefined;
  const namespace = typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : namespaceOf(document.chunk);
  const repository = ctx.imageRepositories(namespace, ref.name)[0];
  if (!repository) return undefined;
  const denied = document.imagePolicy && policyAccessDenied(document.imagePolicy, repository, ctx.namespaces?.(document.imagePolicy.metadata.namespace)[0]?.metadata.labels);
  if (denied) return `Selects nothing: the controller refuses the policy (AccessDenied: ${plainText(denied)}).`;
  const parsed = parseImageReference(repository.spec.image, repository.spec.insecure === true);
  if (!parsed.ok) return undefined;
  const canonical = parsed.reference.canonicalImageName;
  const tags = await ctx.storedTags(canonical);
  if (!tags) return undefined;
  if (tags.length === 0) return `No stored tags of ${code(canonical)} yet: the policy waits for a scan (\`no tags in database\`).`;
  const ex = explainPolicy(spec, tags);
  const lines: string[] = [];
  const result = ex.result;
  if (result.ok) {
    lines.push(`**Selects ${code(result.latest)}** → ${code(`${repository.spec.image}:${result.latest}`)} (of ${tags.length} stored tags)`);
    const next = ex.candidates.filter((t) => t !== result.latest).slice(0, 4);
    if (next.length > 0) lines.push(`Next: ${next.map(code).join(', ')}`);
  } else {
    lines.push(`Selects nothing: ${plainText(result.error)}`);
  }
  const dropped = [
    ex.filteredOut && `${ex.filteredOut} not matching filterTags.pattern`,
    ex.notSemver && `${ex.notSemver} not MAJOR.MINOR.PATCH`,
    ex.outsideRange && `${ex.outsideRange} outside the range`,
    ex.prerelease && `${ex.prerelease} prerelease${ex.prerelease === 1 ? '' : 's'} the range does not admit`,
  ].filter(Boolean);
  if (dropped.length > 0) lines.push(`Dropped: ${dropped.join(', ')}.`);
  return lines.join('\n\n');
}

/** The reconciler's Ready condition of an ImagePolicy and its latestRef (with the reflected digest). */
export function policyStatusMarkdown(status: ImagePolicyStatus): string {
  const lines: string[] = [];
  const stalled = getCondition(status, 'Stalled');
  const ready = getCondition(status, 'Ready');
  const shown = stalled?.status === 'True' ? stalled : ready;
  if (shown) lines.push(`${shown.type}=${shown.status} (${plainText(shown.reason)}): ${plainText(shown.message)}`);
  const latest = status.latestRef;
  if (latest) lines.push(`status.latestRef: ${code(`${latest.name}:${latest.tag}${latest.digest ? `@${latest.digest}` : ''}`)}`);
  return lines.join('\n\n');
}

async function policyHover(document: ManifestDocument, position: Position, ctx: HoverContext): Promise<HoverResult | null> {
  const hit = pathAt(document, position);
  if (!hit || hit.path.length === 0) return null;
  const { chunk } = document;
  const rel = nodeRange(chunk.lines, hit.node);
  const range = rel ? { start: { line: rel.start.line + document.startLine, character: rel.start.character }, end: { line: rel.end.line + document.startLine, character: rel.end.character } } : undefined;
  const parts: string[] = [];
  const [first, second] = hit.path;
  if (first === 'kind' || (first === 'metadata' && second === 'name') || (first === 'spec' && (second === 'policy' || second === 'filterTags' || second === 'imageRepositoryRef' || second === 'digestReflectionPolicy'))) {
    const reconciled = document.imagePolicy && ctx.statuses.forPolicy(document.imagePolicy);
    if (reconciled) parts.push(policyStatusMarkdown(reconciled.status));
    else if (document.imagePolicy) {
      // Reconciled under the names the roots apply it as: one status per applied policy and root.
      const { metadata } = document.imagePolicy;
      for (const { applied, status } of ctx.statuses.forAppliedPolicy(document.imagePolicy, ctx.appliedPolicies?.(metadata.namespace ?? 'default', metadata.name) ?? [])) {
        parts.push(`Applied as ${code(`${applied.namespace}/${applied.name}`)} (${plainText(applied.root)}):\n\n${policyStatusMarkdown(status.status)}`);
      }
    }
    const selection = await policySelectionMarkdown(document, ctx);
    if (selection) parts.push(selection);
  }
  const doc = fieldDocMarkdown(hit.path, POLICY_FIELD_DOCS);
  if (doc) parts.push(doc);
  if (parts.length === 0) return null;
  return { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') }, ...(range ? { range } : {}) };
}

/** On a value marked `# {"$imagepolicy": …}`: what the automation would write there, from which policy. */
async function markerHover(document: ManifestDocument, position: Position, ctx: HoverContext): Promise<HoverResult | null> {
  const { chunk } = document;
  const offset = chunk.lines.offsetAt({ line: position.line - document.startLine, character: position.character });
  const marker = chunkMarkers(chunk).markers.find((m) =>
    (offset >= m.valueRange[0] && offset <= m.valueRange[1]) || (offset >= m.commentRange[0] && offset <= m.commentRange[1]));
  if (!marker) return null;
  const rel = chunk.lines.rangeAt(marker.valueRange[0], marker.valueRange[1]);
  const range = { start: { line: rel.start.line + document.startLine, character: rel.start.character }, end: { line: rel.end.line + document.startLine, character: rel.end.character } };
  const key = `${marker.policy.namespace}/${marker.policy.name}`;
  const policy = ctx.imagePolicies?.(marker.policy.namespace, marker.policy.name)[0];
  const lines = [`Image update marker of ImagePolicy ${code(key)} (${marker.field === 'image' ? 'whole image' : marker.field}).`];
  if (!policy) {
    lines.push('The ImagePolicy is not in the workspace: the automation leaves this value alone unless it exists in the cluster.');
  } else {
    const refNamespace = policy.spec.imageRepositoryRef.namespace || policy.metadata.namespace;
    const repository = ctx.imageRepositories?.(refNamespace, policy.spec.imageRepositoryRef.name)[0];
    // The controller checks accessFrom before it reads any tag.
    const denied = repository ? policyAccessDenied(policy, repository, ctx.namespaces?.(policy.metadata.namespace)[0]?.metadata.labels) : undefined;
    const parsed = repository && !denied ? parseImageReference(repository.spec.image, repository.spec.insecure === true) : undefined;
    const tags = parsed?.ok ? await ctx.storedTags(parsed.reference.canonicalImageName) : null;
    const result = tags && tags.length > 0 ? applyPolicy(policy.spec, tags) : undefined;
    if (denied) {
      lines.push(`The controller refuses the policy (AccessDenied: ${plainText(denied)}): it has no latestRef, so the automation leaves this value alone.`);
    } else if (repository && result?.ok) {
      if (marker.field === 'digest') {
        lines.push(`The automation writes the digest of ${code(result.latest)} (status.latestRef.digest, with digestReflectionPolicy IfNotPresent or Always).`);
      } else {
        const next = setterValue(marker.field, { name: repository.spec.image, tag: result.latest });
        const written = scalarText(encodeSetterValue(marker.scalar, next));
        const as = written !== next ? `, written as ${code(written)}` : '';
        lines.push(next === marker.value ? `Up to date: the automation would write ${code(next)}, as here.` : `The automation writes ${code(next)} here${as} (now ${code(marker.value)}).`);
      }
    } else if (result && !result.ok) {
      lines.push(`The policy selects nothing (${plainText(result.error)}), so the automation leaves this value alone.`);
    } else {
      lines.push('No stored tags for its repository yet: scan it to see what the automation would write.');
    }
  }
  const writers = ctx.markerWriters?.(document.uri, marker);
  if (writers) {
    const named = (w: AutomationScope) => code(`${w.namespace}/${w.name}`) + ` (ImageUpdateAutomation, update.path ${code(w.path || '.')})`;
    const sure = writers.filter((w) => !w.unresolved);
    const maybe = writers.filter((w) => w.unresolved);
    if (sure.length > 0) lines.push(`Written by ${sure.map(named).join(', ')}.`);
    if (maybe.length > 0) lines.push(`Perhaps written by ${maybe.map(named).join(', ')}: ${[...new Set(maybe.flatMap((w) => w.unresolved!))].map((n) => code(`\${${n}}`)).join(', ')} is not known here.`);
    if (writers.length === 0) lines.push('No ImageUpdateAutomation in this workspace writes it (see the warning on the marker).');
  }
  const reformat = ctx.fileText !== undefined ? reformatReport(ctx.fileText) : [];
  if (reformat.length > 0) {
    lines.push(`When the automation commits to this file, kyaml also rewrites it: ${describeReformats(reformat, 6)}. Tagline's update changes only the marked values.`);
  }
  return { contents: { kind: 'markdown', value: lines.join('\n\n') }, range };
}

export async function hover(manifest: ParsedManifest, position: Position, ctx: HoverContext): Promise<HoverResult | null> {
  const document = documentAtLine(manifest, position.line);
  if (document && document.chunk.text.includes(SCREENING_TOKEN)) {
    const marked = await markerHover(document, position, ctx);
    if (marked) return marked;
  }
  if (document && isImageUpdateAutomation(document.chunk)) return automationHover(document, position);
  if (document?.chunk.isImagePolicy) return policyHover(document, position, ctx);
  if (!document?.chunk.isImageRepository) return null;
  const hit = pathAt(document, position);
  if (!hit || hit.path.length === 0) return null;
  const { chunk } = document;
  const rel = nodeRange(chunk.lines, hit.node);
  const range = rel ? { start: { line: rel.start.line + document.startLine, character: rel.start.character }, end: { line: rel.end.line + document.startLine, character: rel.end.character } } : undefined;
  const spec = (chunk.value as { spec?: { image?: unknown; insecure?: unknown; exclusionList?: unknown } } | undefined)?.spec;
  const image = typeof spec?.image === 'string' ? spec.image : undefined;
  const parsed = image !== undefined ? parseImageReference(image, spec?.insecure === true) : undefined;
  const canonical = parsed?.ok ? parsed.reference.canonicalImageName : undefined;
  const parts: string[] = [];
  const [first, second, third] = hit.path;

  if (first === 'spec' && second === 'image' && !hit.onKey && parsed) {
    parts.push(parsed.ok
      ? `Canonical name: ${code(parsed.reference.canonicalImageName)}${parsed.reference.scheme === 'http' ? ' (plain HTTP allowed)' : ''}`
      : parsed.message);
    const object = document.imageRepository;
    const status = object ? ctx.statuses.forObject(object) : undefined;
    if (object && status) parts.push(statusMarkdown(object, status, ctx.now()));
  } else if (first === 'spec' && second === 'exclusionList' && typeof third === 'number' && isScalar(hit.node) && typeof hit.node.value === 'string') {
    parts.push(await exclusionMarkdown(hit.node.value, canonical, ctx));
  } else if (first === 'spec' && second === 'exclusionList' && Array.isArray(spec?.exclusionList) && spec.exclusionList.length === 0) {
    parts.push(`An empty list does not switch exclusion off: the default ${code(DEFAULT_EXCLUSION)} still applies.`);
  }
  const doc = fieldDocMarkdown(hit.path.filter((_, i) => !(typeof hit.path[i] === 'number' && i === hit.path.length - 1)));
  if (doc) parts.push(doc);
  if (parts.length === 0) return null;
  return { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') }, ...(range ? { range } : {}) };
}

/** ImageUpdateAutomation: the field's doc. */
function automationHover(document: NonNullable<ReturnType<typeof documentAtLine>>, position: Position): HoverResult | null {
  const hit = pathAt(document, position);
  if (!hit || hit.path.length === 0) return null;
  const doc = automationFieldDocMarkdown(hit.path.filter((_, i) => !(typeof hit.path[i] === 'number' && i === hit.path.length - 1)));
  if (!doc) return null;
  const rel = nodeRange(document.chunk.lines, hit.node);
  const range = rel ? { start: { line: rel.start.line + document.startLine, character: rel.start.character }, end: { line: rel.end.line + document.startLine, character: rel.end.character } } : undefined;
  return { contents: { kind: 'markdown', value: doc }, ...(range ? { range } : {}) };
}
