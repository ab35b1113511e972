// Conformance of ImagePolicies: the real image-reflector-controller is the oracle. Each scenario applies an
// ImageRepository (and Secrets, Namespaces) to a real kube-apiserver watched by the controller, waits for its
// scan, then applies the ImagePolicy; Tagline reconciles the same manifests in process as `tagline scan` does
// (its Reconciler, then its PolicyEvaluator), against the same real registry. Compared: latestRef,
// observedPreviousRef, observedGeneration, lastHandledReconcileAt, every condition's type, status, reason,
// message and observedGeneration, and the policy's events. Every difference must be listed, with its reason, in
// docs/flux-conformance.md; the run prints how many are.
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllYaml, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { loadWorkspaceObjects } from '../../common/manifests';
import type { Condition, FluxEvent, ImagePolicyStatus, ImageRef, WorkspaceObjects } from '../../common/model';
import { PolicyEvaluator, Reconciler } from '../../client/src/reconciler';
import { clearTokenCache, closeDispatchers } from '../../client/src/registry';
import { TagStore } from '../../client/src/store';
import { startCluster, type Cluster } from '../harness/cluster';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { assertAllListed, differences, eventLine, fieldMap, RFC3339_SECONDS, type Difference } from './conformanceTable';

/** Tag lists of the registry's repositories, one per shape of policy. */
const SEED: Record<string, string[]> = {
  'conf/app': ['1.0.0', '1.0.1', '1.1.0', '1.2.0', '1.10.0', '2.0.0', '2.0.1-rc.1', 'latest', 'main-3f2a9c1', 'main-8d41b0e', 'v3', `sha256-${'a'.repeat(64)}.sig`],
  'conf/tie': ['1.1.0', '1.2.0', 'v1.2.0', 'v1.3.0-rc.1', '1.3.0-rc.2'],
  'conf/builds': ['main-3f2a9c1-1712345678', 'main-8d41b0e-1712349999', 'main-aaaaaaa-1712340000', 'feature-x-1712399999', 'latest'],
  'conf/numbers': ['1', '2', '10', '1e3', '0x1p4', '7.5', '0x1p11', '00012'],
  'conf/numbers-odd': ['5', '0x1p-2', 'Inf', '1E2', '1_000'],
  'conf/moving': ['1.0.0', '1.1.0'],
  'conf/moving-digest': ['1.0.0', '1.1.0'],
};

interface Step {
  name: string;
  /** Runs before the ImageRepository is asked to rescan (a `reconcile.fluxcd.io/requestedAt` annotation). */
  before: (bed: RegistryBed) => Promise<void>;
}

interface Scenario {
  name: string;
  /**
   * YAML documents: an ImagePolicy named `policy` (applied once its repository has settled), an ImageRepository
   * named `repo`, Namespaces and Secrets. `NS` is replaced by the scenario's namespace.
   */
  manifests: (bed: RegistryBed) => string;
  steps?: Step[];
}

const repo = (bed: RegistryBed, path: string, namespace = 'NS', extra = '') => `---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: repo
  namespace: ${namespace}
spec:
  image: ${bed.host}/${path}
  interval: 5m
  insecure: true
${extra}`;

const policy = (spec: string, ref = '  imageRepositoryRef:\n    name: repo\n') => `---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: policy
  namespace: NS
spec:
${ref}${spec}`;

const namespace = (name: string, labels: Record<string, string> = {}) => `---
apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
${Object.keys(labels).length > 0 ? `  labels:\n${Object.entries(labels).map(([k, v]) => `    ${k}: ${v}`).join('\n')}\n` : ''}`;

const crossNamespaceRef = '  imageRepositoryRef:\n    name: repo\n    namespace: NS-repo\n';

const scenarios: Scenario[] = [
  { name: 'policy-semver', manifests: (bed) => repo(bed, 'conf/app') + policy('  policy:\n    semver:\n      range: ">=1.0.0"\n') },
  { name: 'policy-semver-prerelease', manifests: (bed) => repo(bed, 'conf/app') + policy('  policy:\n    semver:\n      range: ">=2.0.0-0"\n') },
  { name: 'policy-semver-v-prefix-tie', manifests: (bed) => repo(bed, 'conf/tie') + policy('  policy:\n    semver:\n      range: "1.2.x"\n') },
  { name: 'policy-semver-prerelease-v-prefix', manifests: (bed) => repo(bed, 'conf/tie') + policy('  policy:\n    semver:\n      range: ">=1.3.0-rc.0"\n') },
  {
    name: 'policy-alphabetical-asc-extract',
    manifests: (bed) => repo(bed, 'conf/builds') + policy('  filterTags:\n    pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)"\n    extract: "$ts"\n  policy:\n    alphabetical:\n      order: asc\n'),
  },
  { name: 'policy-alphabetical-desc', manifests: (bed) => repo(bed, 'conf/app') + policy('  policy:\n    alphabetical:\n      order: desc\n') },
  { name: 'policy-numerical-asc', manifests: (bed) => repo(bed, 'conf/numbers') + policy('  policy:\n    numerical:\n      order: asc\n') },
  { name: 'policy-numerical-desc-filter', manifests: (bed) => repo(bed, 'conf/numbers') + policy('  filterTags:\n    pattern: "^[0-9]+$"\n  policy:\n    numerical:\n      order: desc\n') },
  { name: 'policy-numerical-go-floats', manifests: (bed) => repo(bed, 'conf/numbers-odd') + policy('  filterTags:\n    pattern: "^[^_]+$"\n  policy:\n    numerical:\n      order: asc\n') },
  { name: 'policy-numerical-underscore', manifests: (bed) => repo(bed, 'conf/numbers-odd') + policy('  policy:\n    numerical:\n      order: asc\n') },
  // Exactly one value fails to parse ('latest'): the controller ranges over a Go map of the filtered values, so
  // when several fail it names whichever the map yields first, and no fixed text could be compared.
  {
    name: 'policy-numerical-unparsable',
    manifests: (bed) => repo(bed, 'conf/builds') + policy('  filterTags:\n    pattern: "^(?:main-[a-f0-9]+-)?(?P<v>[0-9]+|latest)$"\n    extract: "$v"\n  policy:\n    numerical:\n      order: asc\n'),
  },
  { name: 'policy-filter-matches-nothing', manifests: (bed) => repo(bed, 'conf/app') + policy('  filterTags:\n    pattern: "^release-"\n  policy:\n    semver:\n      range: "*"\n') },
  { name: 'policy-invalid-range', manifests: (bed) => repo(bed, 'conf/app') + policy('  policy:\n    semver:\n      range: "one point oh"\n') },
  { name: 'policy-bad-pattern', manifests: (bed) => repo(bed, 'conf/app') + policy('  filterTags:\n    pattern: "^main-("\n  policy:\n    semver:\n      range: ">=1.0.0"\n') },
  { name: 'policy-no-kind', manifests: (bed) => repo(bed, 'conf/app') + policy('  policy: {}\n') },
  { name: 'policy-missing-repository', manifests: (bed) => repo(bed, 'conf/app') + policy('  policy:\n    semver:\n      range: ">=1.0.0"\n', '  imageRepositoryRef:\n    name: absent\n') },
  { name: 'policy-repository-not-ready', manifests: (bed) => repo(bed, 'conf/absent') + policy('  policy:\n    semver:\n      range: ">=1.0.0"\n') },
  {
    name: 'policy-access-denied',
    manifests: (bed) => namespace('NS-repo') + repo(bed, 'conf/app', 'NS-repo') + policy('  policy:\n    semver:\n      range: ">=1.0.0"\n', crossNamespaceRef),
  },
  {
    name: 'policy-access-denied-labels',
    manifests: (bed) => namespace('NS', { team: 'web' }) + namespace('NS-repo') +
      repo(bed, 'conf/app', 'NS-repo', '  accessFrom:\n    namespaceSelectors:\n      - matchLabels:\n          team: shop\n') +
      policy('  policy:\n    semver:\n      range: ">=1.0.0"\n', crossNamespaceRef),
  },
  {
    name: 'policy-access-allowed-labels',
    manifests: (bed) => namespace('NS', { team: 'shop' }) + namespace('NS-repo') +
      repo(bed, 'conf/app', 'NS-repo', '  accessFrom:\n    namespaceSelectors:\n      - matchLabels:\n          team: web\n      - matchLabels:\n          team: shop\n') +
      policy('  policy:\n    semver:\n      range: ">=1.0.0"\n', crossNamespaceRef),
  },
  {
    name: 'policy-access-allowed-name-label',
    manifests: (bed) => namespace('NS-repo') +
      repo(bed, 'conf/app', 'NS-repo', '  accessFrom:\n    namespaceSelectors:\n      - matchLabels:\n          kubernetes.io/metadata.name: NS\n') +
      policy('  policy:\n    semver:\n      range: ">=1.0.0"\n', crossNamespaceRef),
  },
  { name: 'policy-digest-always', manifests: (bed) => repo(bed, 'conf/app') + policy('  digestReflectionPolicy: Always\n  interval: 5m\n  policy:\n    semver:\n      range: ">=1.0.0"\n') },
  { name: 'policy-digest-if-not-present', manifests: (bed) => repo(bed, 'conf/app') + policy('  digestReflectionPolicy: IfNotPresent\n  policy:\n    semver:\n      range: ">=1.0.0"\n') },
  {
    name: 'policy-previously',
    manifests: (bed) => repo(bed, 'conf/moving') + policy('  policy:\n    semver:\n      range: ">=1.0.0"\n'),
    steps: [{ name: 'after-push-and-rescan', before: (bed) => bed.seed('conf/moving', ['1.2.0']) }],
  },
  {
    name: 'policy-previously-digest',
    manifests: (bed) => repo(bed, 'conf/moving-digest') + policy('  digestReflectionPolicy: IfNotPresent\n  policy:\n    semver:\n      range: ">=1.0.0"\n'),
    steps: [{ name: 'after-push-and-rescan', before: (bed) => bed.seed('conf/moving-digest', ['1.2.0']) }],
  },
];

// ---- comparison -------------------------------------------------------------------------------------------

interface Observed {
  status: Partial<ImagePolicyStatus>;
  events: string[];
}

/** The compared fields of a policy's status and its events, flattened to `field → value` (timestamps by shape). */
function fields(observed: Observed): Map<string, string> {
  const s = observed.status;
  const { out, put } = fieldMap();
  // In the ImageRef field order (name, tag, digest), whichever order each side's JSON has.
  const ref = (r: ImageRef | undefined) => r && { name: r.name, tag: r.tag, ...(r.digest !== undefined ? { digest: r.digest } : {}) };
  put('latestRef', ref(s.latestRef));
  put('observedPreviousRef', ref(s.observedPreviousRef));
  put('observedGeneration', s.observedGeneration);
  put('lastHandledReconcileAt', s.lastHandledReconcileAt);
  const conditions = s.conditions ?? [];
  put('conditions (types in order)', conditions.map((c) => c.type));
  for (const c of conditions) {
    put(`conditions[${c.type}]`, { status: c.status, reason: c.reason, message: c.message, observedGeneration: c.observedGeneration });
    put(`conditions[${c.type}].lastTransitionTime (shape)`, RFC3339_SECONDS.test(c.lastTransitionTime));
  }
  put('events', observed.events);
  return out;
}

/** `Ready=True Succeeded: Latest image tag …` (or the Stalled condition), for the run's log. */
function summary(status: Partial<ImagePolicyStatus>): string {
  const c = status.conditions?.find((x) => x.type === 'Stalled' && x.status === 'True') ?? status.conditions?.find((x) => x.type === 'Ready');
  return c ? `${c.type}=${c.status} ${c.reason}: ${c.message}` : '(no conditions)';
}

// ---- the cluster side -----------------------------------------------------------------------------------------

type Kind = 'ImageRepository' | 'ImagePolicy';
interface Status { conditions?: Condition[]; observedGeneration?: number; lastHandledReconcileAt?: string; latestRef?: unknown }

function isSettled(status: Status | undefined, generation: number, requestedAt?: string): boolean {
  if (!status?.conditions) return false;
  if (requestedAt !== undefined && status.lastHandledReconcileAt !== requestedAt) return false;
  const ready = status.conditions.find((c) => c.type === 'Ready');
  const stalled = status.conditions.find((c) => c.type === 'Stalled');
  const reconciling = status.conditions.find((c) => c.type === 'Reconciling');
  // Stalled is patched before the final patch that records observedGeneration: wait for both.
  if (stalled?.status === 'True') return status.observedGeneration === generation;
  if (ready?.status === 'True') return status.observedGeneration === generation && reconciling === undefined;
  return ready?.status === 'False' && reconciling?.reason === 'ProgressingWithRetry';
}

const read = async (cluster: Cluster, kind: Kind, name: string, namespace: string) =>
  (await cluster.objects.read({ apiVersion: 'image.toolkit.fluxcd.io/v1', kind, metadata: { name, namespace } })) as KubernetesObject & { status?: Status };

/** Polls the object until the controller has finished a reconcile of it that `also` accepts. */
async function waitForFlux(cluster: Cluster, kind: Kind, name: string, namespace: string, also: (status: Status) => boolean = () => true, requestedAt?: string): Promise<Status> {
  const deadline = Date.now() + 60_000;
  let last: KubernetesObject & { status?: Status } = {};
  while (Date.now() < deadline) {
    last = await read(cluster, kind, name, namespace);
    if (isSettled(last.status, last.metadata!.generation!, requestedAt) && also(last.status!)) return last.status!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the controller did not settle ${kind} ${namespace}/${name}: ${JSON.stringify(last.status)}\n${cluster.controllerLog().slice(-3000)}`);
}

async function fluxPolicyEvents(cluster: Cluster, namespace: string): Promise<string[]> {
  const list = await cluster.core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=policy,involvedObject.kind=ImagePolicy' });
  return [...new Set(list.items.map((e) => eventLine(e.type ?? '', e.reason ?? '', e.message ?? '')))].sort();
}

/**
 * Cluster events arrive through the recorder's broadcaster a moment after the status: wait for as many as Tagline
 * has. The deadline only bounds a run where the controller emits fewer (a difference either way), so it is generous:
 * on a loaded 2-core CI machine the broadcaster's POST to the API server can lag the status by seconds.
 */
async function waitForFluxEvents(cluster: Cluster, namespace: string, atLeast: number): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  let events = await fluxPolicyEvents(cluster, namespace);
  while (events.length < atLeast && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    events = await fluxPolicyEvents(cluster, namespace);
  }
  return events;
}

// ---- the Tagline side -----------------------------------------------------------------------------------------

class TaglineSide {
  private readonly folder = mkdtempSync(join(tmpdir(), 'tagline-policy-conformance-'));
  private store!: TagStore;
  private reconciler!: Reconciler;
  private evaluator!: PolicyEvaluator;
  private objects!: WorkspaceObjects;
  snapshot!: Observed;

  async start(yaml: string): Promise<void> {
    const file = join(this.folder, 'manifests.yaml');
    writeFileSync(file, yaml);
    this.objects = (await loadWorkspaceObjects([file])).objects;
    this.store = await TagStore.open({ file: join(this.folder, 'tags.sqlite'), debounceMs: 20 });
    // No machine credentials: only what the manifests give, as the controller has.
    const env = { PATH: process.env.PATH, HOME: this.folder, DOCKER_CONFIG: join(this.folder, 'docker'), XDG_CONFIG_HOME: join(this.folder, 'config'), XDG_RUNTIME_DIR: join(this.folder, 'run') };
    const credentials = { env, allowProcesses: false };
    this.reconciler = new Reconciler({ store: this.store, credentials });
    this.evaluator = new PolicyEvaluator(credentials);
    await this.reconcile();
  }

  /** Merges `annotations` into the ImageRepository's metadata, as a `flux reconcile image repository` does. */
  async annotateRepository(annotations: Record<string, string>): Promise<void> {
    this.objects = {
      ...this.objects,
      imageRepositories: this.objects.imageRepositories.map((r) => r.metadata.name !== 'repo' ? r : { ...r, metadata: { ...r.metadata, annotations: { ...r.metadata.annotations, ...annotations } } }),
    };
    await this.reconcile();
  }

  /** As `tagline scan`: the repositories first, then every policy on their stored tags. */
  private async reconcile(): Promise<void> {
    this.reconciler.update(this.objects);
    await this.reconciler.whenIdle();
    const [report] = await this.evaluator.evaluate(this.objects, this.reconciler);
    // Flux's recorder gives Kubernetes a Trace event as Normal (fluxcd/pkg/runtime events.Recorder).
    const events = [...new Set((report?.events ?? []).map((e: FluxEvent) => eventLine(e.type === 'Trace' ? 'Normal' : e.type, e.reason, e.message)))].sort();
    this.snapshot = { status: report?.status ?? {}, events };
  }

  async dispose(): Promise<void> {
    await this.reconciler?.dispose();
    await this.store?.close();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

// ---- the run ------------------------------------------------------------------------------------------------

describe('ImagePolicies: Tagline against the real image-reflector-controller', { timeout: 600_000 }, () => {
  let cluster: Cluster;
  let bed: RegistryBed;
  const found: Difference[] = [];

  before(async () => {
    const [started, plain] = await Promise.all([
      startCluster({ log: (line) => process.stderr.write(`${line}\n`) }),
      startRegistryBed({ variant: 'plain', seed: SEED }),
    ]);
    cluster = started;
    bed = plain;
  });

  after(async () => {
    await cluster?.stop();
    await bed?.stop();
    clearTokenCache();
    await closeDispatchers();
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const ns = `conf-${scenario.name}`;
      const yaml = scenario.manifests(bed).replace(/\bNS\b/g, ns);
      const objects = loadAllYaml(yaml) as KubernetesObject[];
      const namespaces = new Set(objects.map((o) => o.metadata?.namespace).filter((n): n is string => n !== undefined));
      for (const name of namespaces) {
        const manifest = objects.find((o) => o.kind === 'Namespace' && o.metadata?.name === name);
        await cluster.core.createNamespace({ body: { metadata: { name, labels: manifest?.metadata?.labels } } });
      }
      const policies = objects.filter((o) => o.kind === 'ImagePolicy');
      for (const object of objects.filter((o) => o.kind !== 'Namespace' && o.kind !== 'ImagePolicy')) await cluster.objects.create(object);
      const repository = objects.find((o) => o.kind === 'ImageRepository')!;
      // The policy is applied once its repository has been scanned, as Tagline evaluates it after the scan.
      await waitForFlux(cluster, 'ImageRepository', 'repo', repository.metadata!.namespace!);
      for (const object of policies) await cluster.objects.create(object);
      const tagline = new TaglineSide();
      try {
        await tagline.start(yaml);
        let fluxStatus = await waitForFlux(cluster, 'ImagePolicy', 'policy', ns);
        let fluxObserved: Observed = { status: fluxStatus as Partial<ImagePolicyStatus>, events: await waitForFluxEvents(cluster, ns, tagline.snapshot.events.length) };
        found.push(...differences(scenario.name, fields(fluxObserved), fields(tagline.snapshot)));
        process.stderr.write(`${scenario.name}: flux says ${summary(fluxObserved.status)}\n`);
        for (const [i, step] of (scenario.steps ?? []).entries()) {
          await step.before(bed);
          const annotations = { 'reconcile.fluxcd.io/requestedAt': `step-${i + 1}` };
          await cluster.objects.patch(
            { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { name: 'repo', namespace: repository.metadata!.namespace!, annotations } },
            undefined, undefined, undefined, undefined, PatchStrategy.MergePatch,
          );
          await tagline.annotateRepository(annotations);
          await waitForFlux(cluster, 'ImageRepository', 'repo', repository.metadata!.namespace!, () => true, annotations['reconcile.fluxcd.io/requestedAt']);
          // The controller re-reconciles the policy when the repository's scan changes; Tagline's answer says
          // what to wait for, and a controller that never gets there shows as a difference after the timeout.
          const before = JSON.stringify(fluxStatus.latestRef);
          const want = JSON.stringify(tagline.snapshot.status.latestRef);
          fluxStatus = await waitForFlux(cluster, 'ImagePolicy', 'policy', ns, (s) => JSON.stringify(s.latestRef) === want || JSON.stringify(s.latestRef) !== before)
            .catch(() => read(cluster, 'ImagePolicy', 'policy', ns).then((o) => o.status ?? {}));
          fluxObserved = { status: fluxStatus as Partial<ImagePolicyStatus>, events: await waitForFluxEvents(cluster, ns, tagline.snapshot.events.length) };
          found.push(...differences(`${scenario.name}/${step.name}`, fields(fluxObserved), fields(tagline.snapshot)));
          process.stderr.write(`${scenario.name}/${step.name}: flux says ${summary(fluxObserved.status)}\n`);
        }
      } finally {
        await tagline.dispose();
      }
    });
  }

  it('every difference is listed in docs/flux-conformance.md, and every listed one still occurs', () => {
    assertAllListed(found, scenarios.map((s) => s.name), 'ImagePolicy');
  });
});
