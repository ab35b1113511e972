// Drift between the workspace's manifests and a cluster's objects: the same (kind, namespace, name) on both sides
// with a different spec, an object on one side only, or a different outcome when both reconciled it.
// Pure: the Kubernetes client and the workspace index supply the two sides.

export type FluxImageKind = 'ImageRepository' | 'ImagePolicy';

/** The Ready condition as one side last reported it. */
export interface ReadySummary {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/** One object as either side knows it. `spec` is the object's spec as written (workspace) or as stored (cluster). */
export interface DriftSubject {
  kind: FluxImageKind;
  namespace: string;
  name: string;
  spec: Record<string, unknown>;
  /** Absent when the side has not reconciled the object (yet), or when the caller does not compare outcomes. */
  ready?: ReadySummary;
}

/** A spec field that differs, as a dotted path from the object (`spec.interval`), with both values. */
export interface FieldDifference {
  path: string;
  workspace: unknown;
  cluster: unknown;
}

interface DriftBase {
  kind: FluxImageKind;
  namespace: string;
  name: string;
}

export type Drift =
  /** Not yet applied, or changed in the cluster. */
  | (DriftBase & { type: 'SpecDiffers'; fields: FieldDifference[] })
  | (DriftBase & { type: 'NotInWorkspace' })
  | (DriftBase & { type: 'NotInCluster' })
  /** Both reconciled, with a different Ready status or reason (e.g. the cluster's Secret is not the laptop's). */
  | (DriftBase & { type: 'OutcomeDiffers'; workspace: ReadySummary; cluster: ReadySummary });

export type DriftType = Drift['type'];

/** `Kind/namespace/name`, the key both sides are matched by. */
export function subjectKey(subject: { kind: string; namespace: string; name: string }): string {
  return `${subject.kind}/${subject.namespace}/${subject.name}`;
}

/**
 * The spec the API server stores for a spec as written: the CRD's structural defaults applied where a field is
 * absent (image-reflector-controller api/v1/imagerepository_types.go and imagepolicy_types.go,
 * `+kubebuilder:default` markers: `exclusionList: ["^.*\\.sig$"]`, `provider: generic`,
 * `digestReflectionPolicy: Never`, `policy.alphabetical.order`/`policy.numerical.order: asc`). An explicit `[]`
 * stays empty, as the API server defaults only absent fields (k8s.io/apiextensions-apiserver
 * pkg/apiserver/schema/defaulting/algorithm.go `Default`). Returns a new object; the input is not changed.
 */
export function withCrdDefaults(kind: FluxImageKind, spec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(spec);
  if (kind === 'ImageRepository') {
    if (out.exclusionList === undefined || out.exclusionList === null) out.exclusionList = ['^.*\\.sig$'];
    if (out.provider === undefined || out.provider === null) out.provider = 'generic';
  } else {
    if (out.digestReflectionPolicy === undefined || out.digestReflectionPolicy === null) out.digestReflectionPolicy = 'Never';
    const policy = out.policy as Record<string, Record<string, unknown> | undefined> | undefined;
    for (const choice of ['alphabetical', 'numerical'] as const) {
      const rule = policy?.[choice];
      if (rule && typeof rule === 'object' && (rule.order === undefined || rule.order === null)) rule.order = 'asc';
    }
  }
  return out;
}

/** The paths under `spec` where the two (defaulted) specs differ; arrays compare as whole values. */
export function specDifferences(kind: FluxImageKind, workspace: Record<string, unknown>, cluster: Record<string, unknown>): FieldDifference[] {
  const out: FieldDifference[] = [];
  compare('spec', withCrdDefaults(kind, workspace), withCrdDefaults(kind, cluster), out);
  return out;
}

function compare(path: string, a: unknown, b: unknown, out: FieldDifference[]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) compare(`${path}.${key}`, a[key], b[key], out);
    return;
  }
  if (!sameValue(a, b)) out.push({ path, workspace: a, cluster: b });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === null) a = undefined;
  if (b === null) b = undefined;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue(a[k], b[k]));
  }
  return a === b;
}

/**
 * Every drift between the workspace and a cluster, sorted by kind, namespace, name. `clusterNamespaces`, when
 * given, are the only namespaces the cluster side could read (RBAC for some namespaces only): a manifest in
 * another namespace is not reported as missing from the cluster, since the cluster was not asked. `kinds`, when
 * given, are the only kinds the workspace side was read for; cluster objects of other kinds are left out.
 */
export function findDrift(
  workspace: DriftSubject[],
  cluster: DriftSubject[],
  options: { clusterNamespaces?: ReadonlySet<string>; kinds?: readonly FluxImageKind[] } = {},
): Drift[] {
  const { clusterNamespaces, kinds } = options;
  if (kinds) cluster = cluster.filter((c) => kinds.includes(c.kind));
  const drift: Drift[] = [];
  const inCluster = new Map(cluster.map((c) => [subjectKey(c), c]));
  const inWorkspace = new Set<string>();
  for (const local of workspace) {
    const key = subjectKey(local);
    if (inWorkspace.has(key)) continue;
    inWorkspace.add(key);
    const base = { kind: local.kind, namespace: local.namespace, name: local.name };
    const remote = inCluster.get(key);
    if (!remote) {
      if (!clusterNamespaces || clusterNamespaces.has(local.namespace)) drift.push({ ...base, type: 'NotInCluster' });
      continue;
    }
    const fields = specDifferences(local.kind, local.spec, remote.spec);
    if (fields.length > 0) drift.push({ ...base, type: 'SpecDiffers', fields });
    else if (outcomesDiffer(local.ready, remote.ready)) {
      drift.push({ ...base, type: 'OutcomeDiffers', workspace: local.ready!, cluster: remote.ready! });
    }
  }
  for (const remote of cluster) {
    if (!inWorkspace.has(subjectKey(remote))) drift.push({ kind: remote.kind, namespace: remote.namespace, name: remote.name, type: 'NotInWorkspace' });
  }
  return drift.sort((a, b) => subjectKey(a).localeCompare(subjectKey(b)) || a.type.localeCompare(b.type));
}

/**
 * Outcomes are compared only when both sides finished a reconcile (Ready True or False, not Unknown while one
 * runs) and only on the same spec, so a different outcome is not a spec difference seen twice.
 */
function outcomesDiffer(local: ReadySummary | undefined, remote: ReadySummary | undefined): boolean {
  if (!local || !remote || local.status === 'Unknown' || remote.status === 'Unknown') return false;
  return local.status !== remote.status || local.reason !== remote.reason;
}

/** One line per drift, as `tagline diff` prints it and the editor's diagnostics say it. */
export function describeDrift(d: Drift, context: string): string {
  const object = `${d.kind}/${d.namespace}/${d.name}`;
  switch (d.type) {
    case 'NotInCluster':
      return `${object}: not in cluster ${context}`;
    case 'NotInWorkspace':
      return `${object}: in cluster ${context}, not in the workspace`;
    case 'SpecDiffers':
      return `${object}: spec differs from cluster ${context}: ` +
        d.fields.map((f) => `${f.path} ${show(f.workspace)} (cluster: ${show(f.cluster)})`).join(', ');
    case 'OutcomeDiffers':
      return `${object}: Ready ${d.workspace.status} ${d.workspace.reason} here, ${d.cluster.status} ${d.cluster.reason} in cluster ${context}: ${d.cluster.message}`;
  }
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : JSON.stringify(value);
}
