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
}

function isAutomation(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && value.kind === 'ImageUpdateAutomation' && typeof value.apiVersion === 'string'
    && value.apiVersion.startsWith('image.toolkit.fluxcd.io/');
}

/**
 * The ImageUpdateAutomations of `manifests` that `applies` says Flux applies, with the folder each rewrites.
 * `limit` is the workspace folder (POSIX absolute) the search for `update.path` stops at.
 */
export function automationScopes(manifests: readonly ParsedManifest[], limit: string, applies: (uri: string) => boolean = () => true): AutomationScope[] {
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
    for (const document of manifest.documents) {
      // A deferred document declares another apiVersion than image.toolkit.fluxcd.io's: asking for its value
      // would parse it, on every index change.
      if (document.chunk.deferred) continue;
      const value = document.chunk.value;
      if (!isAutomation(value) || !isRecord(value.metadata) || typeof value.metadata.name !== 'string') continue;
      const namespace = typeof value.metadata.namespace === 'string' && value.metadata.namespace ? value.metadata.namespace : 'default';
      const spec = isRecord(value.spec) ? value.spec : {};
      const update = isRecord(spec.update) ? spec.update : undefined;
      const path = update && typeof update.path === 'string' ? update.path : '';
      const file = uriPath(manifest.uri);
      scopes.push({
        namespace, name: value.metadata.name, uri: manifest.uri, path,
        ...(update && file ? { folder: resolveUpdatePath(file, path, folders(), limit) } : {}),
        ...(isRecord(spec.policySelector) ? { policySelector: spec.policySelector as LabelSelector } : {}),
      });
    }
  }
  return scopes;
}

function resolveUpdatePath(file: string, relative: string, folders: Set<string>, limit: string): string | undefined {
  if (relative === '' || posix.normalize(relative) === '.' || relative === './') return limit;
  for (let dir = posix.dirname(file); ; dir = posix.dirname(dir)) {
    const candidate = posix.join(dir, relative);
    if (folders.has(candidate) && candidate.startsWith(dir)) return candidate;
    if (dir === limit || dir === posix.dirname(dir) || !dir.startsWith(limit)) return undefined;
  }
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
