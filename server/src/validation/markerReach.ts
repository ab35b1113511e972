// Markers checked against the ImageUpdateAutomations that would write them (common/kustomize/automations.ts):
// a marker in a file no automation rewrites, naming a policy no automation that rewrites it can see, or naming a
// policy that is in the workspace but not applied by Flux, is a value that silently never changes.
import { automationLabel, automationMayWrite, automationWrites, selectorMatches, type AutomationScope } from '../../../common/kustomize/automations';
import { nodeAt, nodeRange } from '../../../common/manifests/yamlPath';
import { SCREENING_TOKEN, type ImagePolicyMarker } from '../../../common/flux/markers/markers';
import { chunkMarkers, type AppliedPolicyName } from './markers';
import { uriPath } from '../../../common/kustomize';
import type { ManifestDocument, ParsedManifest } from '../../../common/manifests';
import type { AutomationTarget, ImagePolicyObject } from '../../../common/model';
import { shiftDiagnostic, Severity, SOURCE, type TaglineDiagnostic } from './types';

export interface MarkerReachContext {
  /** The ImageUpdateAutomations Flux applies (none: markers are not judged against automations). */
  automations: readonly AutomationScope[];
  /** Every ImagePolicy of the workspace by namespace and name as Flux applies it (built objects), applied or not. */
  imagePolicies(namespace: string, name: string): ImagePolicyObject[];
  /** The names under which kustomize roots apply an ImagePolicy written as `namespace/name` (markers.ts). */
  appliedAs?(namespace: string, name: string): AppliedPolicyName[];
  /** Whether Flux applies the file a URI names. */
  applies(uri: string): boolean;
}

function shortUri(uri: string): string {
  const path = uriPath(uri) ?? uri;
  return path.split('/').slice(-3).join('/');
}

/** The automations that would write `marker` in the file at `path` (POSIX absolute). */
export function markerWriters(marker: ImagePolicyMarker, path: string, ctx: MarkerReachContext): AutomationScope[] {
  const policies = ctx.imagePolicies(marker.policy.namespace, marker.policy.name);
  const policy = policies.find((p) => !p.source || ctx.applies(p.source.uri));
  // In the workspace but not applied, or applied under another name: no automation lists it. Not in the
  // workspace: it may be in the cluster.
  if (policies.length > 0 ? !policy : renamed(marker, ctx)) return [];
  return ctx.automations.filter((a) => automationWrites(a, path) && a.namespace === marker.policy.namespace
    && (!policy || selectorMatches(a.policySelector, policy.metadata.labels)));
}

function renamed(marker: ImagePolicyMarker, ctx: MarkerReachContext): boolean {
  return (ctx.appliedAs?.(marker.policy.namespace, marker.policy.name).length ?? 0) > 0;
}

function why(marker: ImagePolicyMarker, path: string, ctx: MarkerReachContext): { code: string; message: string } | undefined {
  const key = `${marker.policy.namespace}/${marker.policy.name}`;
  const policies = ctx.imagePolicies(marker.policy.namespace, marker.policy.name);
  // marker.policyAppliedAs (markers.ts) says which name to write instead.
  if (policies.length === 0 && renamed(marker, ctx)) return undefined;
  if (policies.length > 0 && policies.every((p) => p.source && !ctx.applies(p.source.uri))) {
    return {
      code: 'marker.policyNotApplied',
      message: `ImagePolicy '${key}' is in ${shortUri(policies[0].source!.uri)}, which no Flux Kustomization in this workspace applies; without it, the automation leaves this value alone.`,
    };
  }
  if (ctx.automations.length === 0) return undefined;
  const writing = ctx.automations.filter((a) => automationWrites(a, path));
  // An update.path whose variables are unknown here may name this file's folder: no warning from a guess (the
  // automation itself carries the information, automationPathDiagnostics).
  const maybe = ctx.automations.filter((a) => a.unresolved && automationMayWrite(a, path));
  if (writing.length === 0 && maybe.length > 0) return undefined;
  if (writing.length === 0) {
    const paths = [...new Set(ctx.automations.map((a) => `${a.namespace}/${a.name} rewrites ${a.folder === undefined && !a.unresolved ? `${a.path || '.'} (not in this workspace)` : `${a.path || '.'}`}`))];
    return { code: 'marker.outsideAutomations', message: `No ImageUpdateAutomation rewrites this file: ${paths.join('; ')}.` };
  }
  if (markerWriters(marker, path, ctx).length > 0) return undefined;
  if (maybe.some((a) => a.namespace === marker.policy.namespace)) return undefined;
  const policy = policies.find((p) => !p.source || ctx.applies(p.source.uri));
  const reasons = writing.map((a) => (a.namespace !== marker.policy.namespace
    ? `${automationLabel(a)} reads only ImagePolicies in its own namespace '${a.namespace}'`
    : `${automationLabel(a)} has a policySelector that does not select ImagePolicy '${key}' (labels ${JSON.stringify(policy?.metadata.labels ?? {})})`));
  return { code: 'marker.policyNotSeen', message: `No automation that rewrites this file sees ImagePolicy '${key}': ${reasons.join('; ')}.` };
}

export const PATH_UNRESOLVED_CODE = 'automation.pathUnresolved';

/**
 * Information on an automation's `spec.update.path` whose variables are unknown here, once per root that builds it
 * so (or once, when no root substitutes it): which files it rewrites is not known, so markers are not judged
 * against it.
 */
function automationPathDiagnostics(document: ManifestDocument, ctx: MarkerReachContext): TaglineDiagnostic[] {
  const scopes = ctx.automations.filter((a) => a.unresolved && a.uri === document.uri && a.index === document.index);
  if (scopes.length === 0) return [];
  const { chunk } = document;
  const range = nodeRange(chunk.lines, nodeAt(chunk.doc, ['spec', 'update', 'path'])) ?? nodeRange(chunk.lines, nodeAt(chunk.doc, ['kind']));
  if (!range) return [];
  const messages = new Set(scopes.map((a) => {
    const names = a.unresolved!.map((n) => `\${${n}}`).join(', ');
    const why = a.root ? `as ${a.root} builds it, ${a.unresolvedWhy ?? 'no value for it is in the workspace'}` : 'no Flux Kustomization in this workspace builds it';
    return `spec.update.path '${a.path}' holds ${names}, whose value is not known here: ${why}. Markers in folders its update.path may name are not judged against this automation.`;
  }));
  return [...messages].map((message) => shiftDiagnostic({ range, severity: Severity.Information, source: SOURCE, code: PATH_UNRESOLVED_CODE, message }, document.startLine));
}

function documentReach(document: ManifestDocument, path: string, ctx: MarkerReachContext): TaglineDiagnostic[] {
  const { chunk } = document;
  const out: TaglineDiagnostic[] = chunk.deferred ? [] : automationPathDiagnostics(document, ctx);
  if (!chunk.text.includes(SCREENING_TOKEN)) return out;
  // The markers found once per document (cached, line by line where lines suffice): not a parse per publish.
  for (const marker of chunkMarkers(chunk).markers) {
    const problem = why(marker, path, ctx);
    if (!problem) continue;
    out.push(shiftDiagnostic({
      range: chunk.lines.rangeAt(marker.commentRange[0], marker.commentRange[1]),
      severity: Severity.Warning, source: SOURCE, ...problem,
    }, document.startLine));
  }
  return out;
}

/** Results per document wrapper (same text, file and place), valid while the same context is passed. */
const reachChecks = new WeakMap<ManifestDocument, { ctx: MarkerReachContext; diagnostics: TaglineDiagnostic[] }>();

function cachedDocumentReach(document: ManifestDocument, path: string, ctx: MarkerReachContext): TaglineDiagnostic[] {
  const cached = reachChecks.get(document);
  if (cached?.ctx === ctx) return cached.diagnostics;
  const diagnostics = documentReach(document, path, ctx);
  reachChecks.set(document, { ctx, diagnostics });
  return diagnostics;
}

/**
 * Warnings for the file's markers that no automation would write, each saying which automation and why
 * (`marker.outsideAutomations`, `marker.policyNotSeen`) or that the policy is not applied (`marker.policyNotApplied`).
 * Pass the same `ctx` object while its answers do not change (same automations, policies and applied files):
 * each document's result is then kept, so an edit re-judges only the documents it touched.
 */
export function markerReachDiagnostics(manifest: ParsedManifest, ctx: MarkerReachContext): TaglineDiagnostic[] {
  const path = uriPath(manifest.uri);
  if (path === undefined) return [];
  return manifest.documents.flatMap((d) => cachedDocumentReach(d, path, ctx));
}

/**
 * The automations that would write `marker` in the file `uri`, then those that may (`unresolved` set: an
 * update.path whose variables are unknown here may name the file's folder); undefined when the workspace holds none.
 */
export function markerWritersOf(uri: string, marker: ImagePolicyMarker, ctx: MarkerReachContext): AutomationScope[] | undefined {
  const path = uriPath(uri);
  if (ctx.automations.length === 0 || path === undefined) return undefined;
  const policy = ctx.imagePolicies(marker.policy.namespace, marker.policy.name).find((p) => !p.source || ctx.applies(p.source.uri));
  const maybe = ctx.automations.filter((a) => a.unresolved && automationMayWrite(a, path) && a.namespace === marker.policy.namespace
    && (!policy || selectorMatches(a.policySelector, policy.metadata.labels)));
  return [...markerWriters(marker, path, ctx), ...maybe];
}

/**
 * Each automation with the files and markers it would write (files in workspace order, markers by line), for the
 * tree. Only files Flux applies are searched, as only those are in the automation's checkout as Flux sees it.
 */
export function automationTargets(manifests: readonly ParsedManifest[], ctx: MarkerReachContext): AutomationTarget[] {
  const targets = ctx.automations.map((a): AutomationTarget => ({ namespace: a.namespace, name: a.name, uri: a.uri, path: a.path, files: [] }));
  for (const manifest of manifests) {
    const path = uriPath(manifest.uri);
    if (path === undefined || !ctx.applies(manifest.uri)) continue;
    const perTarget = new Map<AutomationTarget, AutomationTarget['files'][number]['markers']>();
    for (const document of manifest.documents) {
      if (!document.chunk.text.includes(SCREENING_TOKEN)) continue;
      for (const marker of chunkMarkers(document.chunk).markers) {
        const line = document.chunk.lines.rangeAt(marker.commentRange[0], marker.commentRange[1]).start.line + document.startLine;
        for (const writer of markerWriters(marker, path, ctx)) {
          const target = targets[ctx.automations.indexOf(writer)];
          const list = perTarget.get(target) ?? [];
          list.push({ line, setter: marker.setter, value: marker.value });
          perTarget.set(target, list);
        }
      }
    }
    for (const [target, markers] of perTarget) target.files.push({ uri: manifest.uri, markers });
  }
  return targets;
}
