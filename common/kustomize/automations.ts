/**
 * Which image-update markers an ImageUpdateAutomation would write, as image-automation-controller v1.2.0 decides:
 * it lists only the ImagePolicies of its own namespace that its `policySelector` selects (every one when absent;
 * internal/controller/imageupdateautomation_controller.go `getPolicies`), and rewrites only files under
 * `spec.update.path` of its GitRepository's checkout (internal/policy/applier.go `ApplyPolicies`, securejoin of the
 * work dir and the path); a marker names its policy as `<namespace>:<name>` (internal/update/setters.go
 * `UpdateWithSetters`), so a marker naming a policy of another namespace is never written.
 *
 * The checkout is mapped onto the workspace as Flux Kustomization paths are (common/kustomize/roots.ts
 * `resolveSpecPath`): the nearest folder above the automation's file, itself included, where `update.path` exists;
 * an empty path is the workspace folder. Assumed: the GitRepository the automation names is the repository the
 * workspace holds (its URL is not compared).
 */
import { posix } from 'node:path';
import { uriPath } from './reach';
import { isRecord } from '../manifests/objects';
import type { ParsedManifest } from '../manifests';

/** metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface AutomationScope {
  namespace: string;
  name: string;
  /** URI of the file declaring it. */
  uri: string;
  /** `spec.update.path` as written (`./clusters/prod`; empty when absent). */
  path: string;
  /** The folder (POSIX absolute) that path names in the workspace; undefined when it is not in the workspace. */
  folder?: string;
  policySelector?: LabelSelector;
  /** Index of the written document in its file. */
  index?: number;
  /** The root that built it (`Kustomization flux-system/apps in clusters/prod/apps.yaml`); absent: read as written. */
  root?: string;
  /**
   * Variables of `update.path` whose value is not known here (a `substituteFrom` source that is not in the workspace,
   * a SOPS-encrypted value, no root that substitutes them). The folder is then unknown: `path` is as written, and
   * `automationMayWrite` says which files some value could reach.
   */
  unresolved?: string[];
  /** Why they are unknown (`ConfigMap/cluster-vars is not in the workspace`). */
  unresolvedWhy?: string;
  /** The folders (POSIX absolute) the checkout may start at when `unresolved` is set: the automation's file up to the workspace folder. */
  checkouts?: string[];
}

/**
 * An ImageUpdateAutomation as a kustomize root built it (namespace, prefix/suffix, post-build substitution applied),
 * with the written document it came from.
 */
export interface BuiltAutomation {
  /** The object as Flux applies it. */
  object: Record<string, unknown>;
  /** URI and document index of the written document. */
  uri: string;
  index: number;
  /** The root's label; `flux` when it is a Flux Kustomization (a plain kustomization folder is not applied alone). */
  root: string;
  flux: boolean;
  /** Variables of the written `update.path` the root's post-build substitution cannot know (`unknownVariables`), and why. */
  unresolved: string[];
  unresolvedWhy?: string;
}

/** The automations kustomize roots built, and which files (URIs) the roots read. */
export interface AutomationBuilds {
  automations: readonly BuiltAutomation[];
  reads(uri: string): boolean;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}/g;

/**
 * The `${var}` of `text` whose value post-build substitution cannot know from the workspace, as kustomize-controller
 * substitutes (fluxcd/pkg kustomize/kustomize_varsub.go `SubstituteVariables`, `LoadVariables`): only when
 * `spec.postBuild` is set (else every variable stays as written); `substitute` and the `substituteFrom` values
 * (`vars.vars`, later sources winning) are known, and so is a variable with a default (`${var:=default}`); a
 * SOPS-encrypted value is not; an unset variable is the empty string (envsubst without strict mode) unless a
 * `substituteFrom` source is absent from the workspace, which may set it in the cluster.
 */
export function unknownVariables(text: string, kustomization: Record<string, unknown> | undefined, vars: { vars: Record<string, string>; absent?: string[] } | undefined): string[] {
  const spec = kustomization && isRecord(kustomization.spec) ? kustomization.spec : {};
  const postBuild = isRecord(spec.postBuild) ? spec.postBuild : undefined;
  const substitute = postBuild && isRecord(postBuild.substitute) ? postBuild.substitute : {};
  const unknown = new Set<string>();
  for (const [, name, rest] of text.matchAll(VARIABLE)) {
    if (!postBuild) unknown.add(name);
    else if (Object.prototype.hasOwnProperty.call(substitute, name)) continue;
    else if (vars && Object.prototype.hasOwnProperty.call(vars.vars, name)) {
      if (vars.vars[name] === `\${${name}}`) unknown.add(name);
    } else if (!/^:?[=-]/.test(rest) && (vars?.absent?.length ?? 0) > 0) unknown.add(name);
  }
  return [...unknown];
}

function isAutomation(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && value.kind === 'ImageUpdateAutomation' && typeof value.apiVersion === 'string'
    && value.apiVersion.startsWith('image.toolkit.fluxcd.io/');
}

/**
 * The ImageUpdateAutomations of `manifests` that `applies` says Flux applies, with the folder each rewrites.
 * `limit` is the workspace folder (POSIX absolute) the search for `update.path` stops at. An automation in a file
 * a root read (`built`) is read as each root built it: several roots (one per cluster) give several scopes, with
 * the namespace, name, `update.path` and `policySelector` as applied; any other is read as written, and a written
 * `update.path` holding `${var}` is unresolved (no root substitutes it).
 */
export function automationScopes(
  manifests: readonly ParsedManifest[], limit: string, applies: (uri: string) => boolean = () => true, built?: AutomationBuilds,
): AutomationScope[] {
  // The workspace's folders, listed only when an automation needs its update.path resolved.
  let known: Set<string> | undefined;
  const folders = (): Set<string> => {
    if (known) return known;
    known = new Set<string>();
    for (const manifest of manifests) {
      const path = uriPath(manifest.uri);
      if (path === undefined) continue;
      for (let dir = posix.dirname(path); !known.has(dir); dir = posix.dirname(dir)) {
        known.add(dir);
        if (dir === posix.dirname(dir)) break;
      }
    }
    return known;
  };
  const scopes: AutomationScope[] = [];
  for (const manifest of manifests) {
    if (!applies(manifest.uri)) continue;
    const file = uriPath(manifest.uri);
    for (const document of manifest.documents) {
      // A deferred document declares another apiVersion than image.toolkit.fluxcd.io's: asking for its value
      // would parse it, on every index change.
      if (document.chunk.deferred) continue;
      const value = document.chunk.value;
      if (!isAutomation(value) || !isRecord(value.metadata) || typeof value.metadata.name !== 'string') continue;
      if (built?.reads(manifest.uri)) {
        // Flux applies the objects the roots built from this document (none: a root deletes or replaces it).
        const from = built.automations.filter((a) => a.uri === manifest.uri && a.index === document.index);
        const applied = from.some((a) => a.flux) ? from.filter((a) => a.flux) : from;
        for (const a of applied) {
          const scope = file && scopeOf(a.object, manifest.uri, document.index, file, folders, limit, a.unresolved, writtenPath(value));
          if (scope) scopes.push({ ...scope, root: a.root, ...(scope.unresolved && a.unresolvedWhy ? { unresolvedWhy: a.unresolvedWhy } : {}) });
        }
        continue;
      }
      const path = writtenPath(value) ?? '';
      const scope = scopeOf(value, manifest.uri, document.index, file, folders, limit, [...new Set([...path.matchAll(VARIABLE)].map((m) => m[1]))], path);
      if (scope) scopes.push(scope);
    }
  }
  return scopes;
}

function writtenPath(value: Record<string, unknown>): string | undefined {
  const spec = isRecord(value.spec) ? value.spec : {};
  return isRecord(spec.update) && typeof spec.update.path === 'string' ? spec.update.path : undefined;
}

function scopeOf(
  value: unknown, uri: string, index: number, file: string | undefined, folders: () => Set<string>, limit: string,
  unresolved: string[], written: string | undefined,
): AutomationScope | undefined {
  if (!isAutomation(value) || !isRecord(value.metadata) || typeof value.metadata.name !== 'string') return undefined;
  const namespace = typeof value.metadata.namespace === 'string' && value.metadata.namespace ? value.metadata.namespace : 'default';
  const spec = isRecord(value.spec) ? value.spec : {};
  const update = isRecord(spec.update) ? spec.update : undefined;
  const scope: AutomationScope = {
    namespace, name: value.metadata.name, uri, index, path: update && typeof update.path === 'string' ? update.path : '',
    ...(isRecord(spec.policySelector) ? { policySelector: spec.policySelector as LabelSelector } : {}),
  };
  if (update && file && unresolved.length > 0) {
    scope.path = written ?? scope.path;
    scope.unresolved = unresolved;
    scope.checkouts = [];
    for (let dir = posix.dirname(file); dir.startsWith(limit); dir = posix.dirname(dir)) {
      scope.checkouts.push(dir);
      if (dir === limit || dir === posix.dirname(dir)) break;
    }
  } else if (update && file) {
    scope.folder = resolveUpdatePath(file, scope.path, folders(), limit);
  }
  return scope;
}

function resolveUpdatePath(file: string, relative: string, folders: Set<string>, limit: string): string | undefined {
  if (relative === '' || posix.normalize(relative) === '.' || relative === './') return limit;
  for (let dir = posix.dirname(file); ; dir = posix.dirname(dir)) {
    const candidate = posix.join(dir, relative);
    if (folders.has(candidate) && candidate.startsWith(dir)) return candidate;
    if (dir === limit || dir === posix.dirname(dir) || !dir.startsWith(limit)) return undefined;
  }
}

/**
 * Whether some value of its unresolved variables would make the automation rewrite the file at `path` (POSIX
 * absolute): a folder holding the file, relative to one of the checkouts, matches `update.path` with each `${…}`
 * standing for any text. Exact for a resolved automation (`automationWrites`).
 */
export function automationMayWrite(scope: AutomationScope, path: string): boolean {
  if (!scope.unresolved) return automationWrites(scope, path);
  const pattern = new RegExp(`^${posix.normalize(scope.path).replace(/\/+$/, '').split(/\$\{[^}]*\}/).map(escapeRegExp).join('.*')}$`);
  for (const checkout of scope.checkouts ?? []) {
    for (let dir = posix.dirname(path); dir.startsWith(checkout); dir = posix.dirname(dir)) {
      if (pattern.test(posix.relative(checkout, dir) || '.')) return true;
      if (dir === checkout) break;
    }
  }
  return false;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether the automation rewrites the file at `path` (POSIX absolute). */
export function automationWrites(scope: AutomationScope, path: string): boolean {
  if (scope.folder === undefined) return false;
  return path === scope.folder || path.startsWith(scope.folder.endsWith('/') ? scope.folder : `${scope.folder}/`);
}

/** k8s.io/apimachinery metav1.LabelSelectorAsSelector, then Matches: matchLabels and In/NotIn/Exists/DoesNotExist. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    if (operator === 'In' && !(has && values.includes(labels[key]))) return false;
    if (operator === 'NotIn' && has && values.includes(labels[key])) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** `flux-system/flux-system (update.path ./clusters/prod)`. */
export function automationLabel(scope: AutomationScope): string {
  return `ImageUpdateAutomation ${scope.namespace}/${scope.name} (update.path ${scope.path || '.'})`;
}
