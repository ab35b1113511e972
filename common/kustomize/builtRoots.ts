/**
 * Roots that are themselves built objects. kustomize-controller applies what a Kustomization's build produced,
 * post-build substitution included; when that holds Flux Kustomizations, it then builds each of those in turn
 * (kustomize-controller internal/controller/kustomization_controller.go, `reconcile` → `build` → `apply`). So a
 * Kustomization Flux applies is often not written anywhere as it is applied: hmcts/sds-flux-config declares each
 * app's Kustomization in a base with `path: ./apps/x/${ENVIRONMENT}/base` and no `sourceRef`, completes it with
 * per-cluster patches, and lets the cluster's `flux-system` Kustomization substitute `${ENVIRONMENT}`.
 *
 * builtRoots starts from the roots as written (roots.ts findRoots), builds them, takes every Flux Kustomization of
 * their output whose source is this repository and whose `spec.path` is a folder of the workspace as a root of its
 * own, and repeats until nothing new appears (a fixed point), at most MAX_DEPTH Kustomizations deep. A built
 * Kustomization equal to one of its ancestors (a `flux-system` Kustomization whose path holds its own file, A
 * builds B builds A) or to the written root it was read from is not built again. Pure apart from `build`.
 */
import { posix } from 'node:path';
import { appliedObject } from './applied';
import type { KustomizeResponse } from './protocol';
import { fluxKustomizations, isFluxKustomization, resolveSpecPath, type FluxKustomization, type Root, type RootFile } from './roots';
import { foreignSources } from './sources';
import { kustomizationVars, varsSource, type KustomizationVars, type VarsSource } from './vars';
import { isRecord } from '../manifests/objects';

export interface RootBuild {
  root: Root;
  response: KustomizeResponse;
  vars?: KustomizationVars;
}

export interface WorkspaceBuild {
  builds: RootBuild[];
  /** Flux Kustomizations (written, or built by a root) whose `spec.path` is not a folder of the workspace. */
  unresolved: FluxKustomization[];
  /**
   * Written Flux Kustomizations that Flux never applies as written: a patch's partial object (a file the builds
   * use as a patch, never as a resource), or one a build applies in another form (patched, substituted).
   */
  dropped?: FluxKustomization[];
}

/** How many Flux Kustomizations deep roots are taken from builds (the written ones are depth 0). */
export const MAX_DEPTH = 8;
/** Most roots one workspace folder yields: a generator of ever new Kustomizations stops here. */
const MAX_ROOTS = 5000;
/** Most times the roots are taken again after some written ones turned out not to be applied as written. */
const MAX_ROUNDS = 4;

/**
 * Fields of a Kustomization's spec that do not change what it builds (kustomize-controller reads them to fetch,
 * apply, prune and check health), so two Kustomizations that differ only there build the same objects.
 * `path` and `postBuild` are keyed apart: the folder as resolved, and the variables as loaded.
 */
const NOT_BUILD_FIELDS = new Set(['interval', 'retryInterval', 'timeout', 'prune', 'wait', 'force', 'suspend', 'dependsOn',
  'healthChecks', 'healthCheckExprs', 'sourceRef', 'serviceAccountName', 'kubeConfig', 'decryption', 'deletionPolicy', 'path', 'postBuild']);

/** The spec fields that decide a build (generator and kustomize), and whether it substitutes at all. */
export function buildSpec(kustomization: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!kustomization) return null;
  const spec = isRecord(kustomization.spec) ? kustomization.spec : {};
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(spec).sort()) if (!NOT_BUILD_FIELDS.has(key)) out[key] = spec[key];
  if (spec.postBuild !== undefined) out.postBuild = true;
  return out;
}

/**
 * The variables a build substitutes: substituteFrom's values with `postBuild.substitute` over them, as the module
 * merges them (fluxcd/pkg kustomize SubstituteVariables); none when the Kustomization has no `postBuild`.
 */
export function effectiveVars(kustomization: Record<string, unknown> | undefined, vars: KustomizationVars | undefined): Record<string, string> {
  const spec = kustomization && isRecord(kustomization.spec) ? kustomization.spec : {};
  if (spec.postBuild === undefined) return {};
  const postBuild = isRecord(spec.postBuild) ? spec.postBuild : {};
  const substitute = isRecord(postBuild.substitute) ? postBuild.substitute : {};
  const out: Record<string, string> = { ...vars?.vars };
  for (const [name, value] of Object.entries(substitute)) if (value !== null && value !== undefined) out[name] = String(value);
  return out;
}

/** Everything that decides a root's build: folder, build spec and variables. */
function inputKey(root: Root, vars: KustomizationVars | undefined): string {
  const effective = effectiveVars(root.flux?.object, vars);
  return JSON.stringify([root.path, buildSpec(root.flux?.object), Object.keys(effective).sort().map((k) => [k, effective[k]])]);
}

interface Node {
  root: Root;
  vars?: KustomizationVars;
  key: string;
  depth: number;
  parent?: Node;
  /** The written root the chain starts from. */
  seed: Root;
  response?: KustomizeResponse;
  /** Its build yields what Flux turns it into (its successor), which stands in for it. */
  transient?: boolean;
}

export interface BuiltRootsInput {
  /** The roots as written (findRoots), and the written Flux Kustomizations whose path is not a folder. */
  roots: Root[];
  unresolved: FluxKustomization[];
  files: RootFile[];
  folders: Set<string>;
  /** The workspace folder (POSIX absolute). */
  limit: string;
  /** ConfigMaps and Secrets written in the workspace. */
  sources: VarsSource[];
  /** Builds one root (KustomizeBuilds keeps results, and builds identical inputs once). */
  build(root: Root, vars: KustomizationVars | undefined): Promise<KustomizeResponse>;
}

const ORIGIN_SEP = '#';

function fluxRef(kustomization: FluxKustomization): string {
  return `${kustomization.file}${ORIGIN_SEP}${kustomization.documentIndex}`;
}

function sourceRefOf(object: Record<string, unknown>, namespace: string): string | undefined {
  const spec = isRecord(object.spec) ? object.spec : {};
  const ref = isRecord(spec.sourceRef) ? spec.sourceRef : undefined;
  if (!ref) return undefined;
  return JSON.stringify([ref.kind, typeof ref.namespace === 'string' && ref.namespace ? ref.namespace : namespace, ref.name]);
}

function specPath(kustomization: FluxKustomization | undefined): string | undefined {
  const spec = kustomization && isRecord(kustomization.object.spec) ? kustomization.object.spec : {};
  return typeof spec.path === 'string' ? spec.path : undefined;
}

/**
 * The roots Flux builds from a workspace folder and their builds: the written roots and, to a fixed point, the Flux
 * Kustomizations their builds produce. Two roots with the same folder, build spec and variables share one build
 * (through `input.build`). Ids and labels name the chain: `Kustomization flux-system/apps built by Kustomization
 * flux-system/flux-system in clusters/prod/flux-system/gotk-sync.yaml`.
 *
 * A written root is set aside when Flux does not apply it as written: a kustomization folder that a Kustomization
 * of the builds names as its path (the cluster folder of hmcts, whose `flux-system` Kustomization is one of the
 * folder's own objects, then stands in for it as a root), one whose folder another root's build loads, and a
 * written Flux Kustomization that the builds only use as a patch, or apply in another form.
 */
export async function builtRoots(input: BuiltRootsInput): Promise<WorkspaceBuild> {
  const { files, folders, limit } = input;
  const byPath = new Map(files.map((f) => [f.path, f]));
  const written = fluxKustomizations(files);
  const foreign = foreignSources(files, written, (k) => resolveSpecPath(k, folders, limit));
  const writtenKeys = new Map<string, string>();
  const writtenVars = new Map<Root, KustomizationVars | undefined>();
  for (const root of input.roots) {
    const vars = root.flux ? kustomizationVars(root.flux.object, root.flux.namespace, input.sources) : undefined;
    writtenVars.set(root, vars);
    if (root.flux) writtenKeys.set(inputKey(root, vars), fluxRef(root.flux));
  }
  const declared = new Map<string, FluxKustomization[]>();
  const declaredIn = (file: string): FluxKustomization[] => {
    let found = declared.get(file);
    if (!found) declared.set(file, (found = byPath.has(file) ? fluxKustomizations([byPath.get(file)!]) : []));
    return found;
  };
  const builtSources = new WeakMap<KustomizeResponse, VarsSource[]>();
  const sourcesOf = (node: Node): VarsSource[] => {
    let found = builtSources.get(node.response!);
    if (!found) {
      found = node.response!.objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret')
        .map((o) => varsSource(appliedObject(o, node.root.path).object)).filter((s): s is VarsSource => s !== undefined);
      builtSources.set(node.response!, found);
    }
    return found;
  };

  /** Flux Kustomizations of a node's build, as roots; the unresolved ones and every origin seen are recorded. */
  const children = (node: Node, unresolved: FluxKustomization[], seen: Map<string, string[]>, builtElsewhere: VarsSource[]): Node[] => {
    const out: Node[] = [];
    const ids = new Set<string>();
    const notFound: FluxKustomization[] = [];
    for (const object of node.response!.objects) {
      if (!isFluxKustomization(object)) continue;
      const applied = appliedObject(object, node.root.path);
      if (!applied.originFile) continue;
      const candidates = declaredIn(applied.originFile);
      const base = candidates.find((k) => applied.name.includes(k.name)) ?? candidates[0];
      const namespace = applied.namespace ?? 'default';
      const flux: FluxKustomization = { name: applied.name, namespace, object: applied.object, file: applied.originFile, documentIndex: base?.documentIndex ?? 0, builtBy: node.root.label };
      // The same source as the Kustomization that applied it is this repository; otherwise sources.ts decides.
      const parentSource = node.root.flux && sourceRefOf(node.root.flux.object, node.root.flux.namespace);
      const sameSource = parentSource !== undefined && sourceRefOf(applied.object, namespace) === parentSource;
      if (!sameSource && foreign(flux)) continue;
      const path = resolveSpecPath(flux, folders, limit);
      // Variables the parent could not read (a ConfigMap only in the cluster, SOPS values) leave a path unknown.
      const unknownVars = (node.vars?.missing.length ?? 0) > 0 || (node.vars?.unknown.length ?? 0) > 0;
      if (!path || (unknownVars && specPath(base)?.includes('${'))) {
        notFound.push(flux);
        continue;
      }
      // Flux reads substituteFrom from the cluster: what this build applies first, then what any root applies
      // (a Secret a bootstrap kustomization puts in the namespace), then the files as written.
      const vars = kustomizationVars(applied.object, namespace, [...sourcesOf(node), ...builtElsewhere, ...input.sources]);
      const root: Root = {
        id: `${node.root.id} > ${namespace}/${applied.name}`, label: `Kustomization ${namespace}/${applied.name} built by ${node.root.label}`,
        path, flux, builtBy: node.root, built: applied,
      };
      const key = inputKey(root, vars);
      const list = seen.get(fluxRef(flux)) ?? [];
      list.push(key);
      seen.set(fluxRef(flux), list);
      // The written root seen again, a Kustomization equal to one that applies it (a cycle), or a duplicate.
      if (writtenKeys.get(key) === fluxRef(flux) || ids.has(root.id)) continue;
      let cycle = false;
      for (let at: Node | undefined = node; at && !cycle; at = at.parent) cycle = at.key === key;
      if (cycle) continue;
      ids.add(root.id);
      out.push({ root, vars, key, depth: node.depth + 1, parent: node, seed: node.seed });
    }
    // A build that yields the Kustomization that applies it in another form: the cluster's folder whose own
    // `flux-system` Kustomization is one of its objects (hmcts), a Kustomization whose post-build substitution
    // rewrites its own spec. Flux applies that form, which then applies itself: it alone stands for the node.
    const successors = out.filter((child) => (node.root.flux
      ? fluxRef(child.root.flux!) === fluxRef(node.root.flux) && child.root.flux!.name === node.root.flux.name && child.root.flux!.namespace === node.root.flux.namespace
      : child.root.path === node.root.path));
    if (successors.length === 0) {
      unresolved.push(...notFound);
      return out;
    }
    node.transient = true;
    // Named as what it stands in for: `flux-system built by kustomization clusters/prod/00`.
    if (node.root.flux) for (const successor of successors) successor.root.label = node.root.label;
    return successors;
  };

  const closure = async (seeds: Node[]) => {
    const nodes: Node[] = [];
    const unresolved: FluxKustomization[] = [];
    const seen = new Map<string, string[]>();
    const builtSourcesSoFar: VarsSource[] = [];
    let frontier = seeds;
    while (frontier.length > 0) {
      await Promise.all(frontier.map(async (node) => {
        node.response ??= await input.build(node.root, node.vars);
      }));
      for (const node of frontier) builtSourcesSoFar.push(...sourcesOf(node));
      const next: Node[] = [];
      for (const node of frontier) {
        nodes.push(node);
        if (node.depth >= MAX_DEPTH) continue;
        for (const child of children(node, unresolved, seen, builtSourcesSoFar)) if (nodes.length + next.length < MAX_ROOTS) next.push(child);
      }
      frontier = next;
    }
    return { nodes, unresolved, seen };
  };

  const dropped = new Set<Root>();
  let result: Awaited<ReturnType<typeof closure>>;
  for (let round = 0; ; round++) {
    const seeds: Node[] = input.roots.filter((root) => !dropped.has(root)).map((root) => {
      const vars = writtenVars.get(root);
      return { root, vars, key: inputKey(root, vars), depth: 0, seed: root };
    });
    result = await closure(seeds);
    if (round + 1 >= MAX_ROUNDS) break;
    const before = dropped.size;
    setAside(input.roots, result.nodes, result.seen, dropped);
    if (dropped.size === before) break;
  }

  const { nodes, seen } = result;
  const unresolved = [
    // A written Kustomization a build applies in another form (its `${ENVIRONMENT}` substituted) is judged as built.
    ...input.unresolved.filter((k) => !seen.has(fluxRef(k))),
    ...result.unresolved,
  ];
  const unique = new Map(unresolved.map((k) => [JSON.stringify([fluxRef(k), k.object]), k]));
  return {
    builds: nodes.filter((node) => !node.transient).map((node) => ({ root: node.root, response: node.response!, vars: node.vars })),
    unresolved: [...unique.values()],
    dropped: [...dropped].flatMap((root) => (root.flux ? [root.flux] : [])),
  };
}

/**
 * Written roots Flux does not apply as written (see builtRoots), added to `dropped`. Written Flux Kustomizations
 * first, so that a kustomization folder is set aside only by roots that stay.
 */
function setAside(roots: Root[], nodes: Node[], seen: Map<string, string[]>, dropped: Set<Root>): void {
  const patches = new Set(nodes.flatMap((node) => node.response!.patches));
  const keysBySeed = new Map<Root, Set<string>>();
  for (const node of nodes) keysBySeed.set(node.seed, (keysBySeed.get(node.seed) ?? new Set()).add(node.key));
  for (const root of roots) {
    if (dropped.has(root) || !root.flux) continue;
    const forms = seen.get(fluxRef(root.flux));
    const own = keysBySeed.get(root) ?? new Set();
    // Only used as a patch, or applied in another form by another root's build (its own successors stand in for it).
    if ((!forms && patches.has(root.flux.file)) || forms?.some((key) => !own.has(key))) dropped.add(root);
  }
  const fluxPaths = new Set<string>();
  const loaded = new Set<string>();
  for (const node of nodes) {
    if (dropped.has(node.seed)) continue;
    if (node.root.flux && node.depth > 0 && node.seed.path !== node.root.path) fluxPaths.add(node.root.path);
    for (const kfile of node.response!.kustomizations) if (posix.dirname(kfile) !== node.root.path) loaded.add(posix.dirname(kfile));
  }
  for (const root of roots) {
    if (!dropped.has(root) && !root.flux && (fluxPaths.has(root.path) || loaded.has(root.path))) dropped.add(root);
  }
}
