// A real Flux image-reflector-controller on a real Kubernetes API, on 127.0.0.1 only: etcd on a temporary data
// dir, kube-apiserver with openssl-made serving and client certificates and RBAC, the controller's own CRDs and
// ClusterRole (from its module, kept by scripts/go-build.mjs next to the binary), and the controller as a local
// process with its own client certificate. Binaries come from scripts/go-build.mjs (built once per version).
// Every process and folder is removed by `stop()`, and on exit, Ctrl-C or SIGTERM, and when this process dies
// unseen (the programs run under processes.ts' pipe watchdog).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Agent, request } from 'undici';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  type KubernetesObject,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { ensureBinary, versions } from '../../scripts/go-build.mjs';
import { ensurePackages, makeTempFolder, removeTempFolder, run, spawnTracked, type Spawned } from './processes';

export interface ClusterOptions {
  /** Extra flags for the controller (e.g. `--concurrent=10`). */
  controllerArgs?: string[];
  /** Progress lines (binaries built or found, each start). */
  log?: (line: string) => void;
}

export interface Cluster {
  /** `https://127.0.0.1:PORT` */
  server: string;
  /** A kubeconfig for a person (cluster-admin through `system:masters`), in the cluster's temp folder. */
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  objects: KubernetesObjectApi;
  core: CoreV1Api;
  /** Milliseconds from the call to the controller watching ImageRepositories (binaries already built). */
  startMs: number;
  /** The controller's log so far (JSON lines). */
  controllerLog(): string;
  /** Resolves with the first match of `pattern` in the controller's log (rejects after `timeoutMs`). */
  controllerLogWaitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Peak resident memory (VmHWM) of each program so far, in KiB. */
  peakMemoryKiB(): Record<'etcd' | 'kube-apiserver' | 'image-reflector-controller', number>;
  /** Stops the controller and starts it again on the same storage (e.g. after a feature change). */
  restartController(): Promise<void>;
  /**
   * Stops kube-apiserver and starts it again on the same port and etcd; `whileDown` runs in between. Its watch
   * cache starts afresh, so a watch resumed from an older resourceVersion is answered 410 Gone once etcd is
   * compacted past it (`compactEtcd`).
   */
  restartApiserver(whileDown?: () => Promise<void>): Promise<void>;
  /** Stops (SIGSTOP) or continues (SIGCONT) the controller process: requests wait, nothing is lost. */
  pauseController(paused: boolean): void;
  /** Compacts etcd at its current revision (etcd's own v3 gateway, `/v3/kv/compaction`); returns the revision. */
  compactEtcd(): Promise<number>;
  stop(): Promise<void>;
}

const CONTROLLER_USER = 'image-reflector-controller';
export const FLUX_NAMESPACE = 'flux-system';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** CA, serving certificate for 127.0.0.1, client certificates for the admin and the controller, SA key pair. */
function makePki(folder: string): void {
  const ssl = (...args: string[]) => run('openssl', args, { cwd: folder });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '7', '-subj', '/CN=tagline-cluster-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const signed = (name: string, subject: string, extensions: string) => {
    ssl('req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(join(folder, `${name}.ext`), extensions);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '7', '-extfile', `${name}.ext`);
  };
  signed('apiserver', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  signed('admin', '/O=system:masters/CN=tagline-admin', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  signed('controller', `/CN=${CONTROLLER_USER}`, 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  ssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key');
  ssl('ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
}

function kubeconfigYaml(server: string, folder: string, user: string, certName: string): string {
  const b64 = (file: string) => readFileSync(join(folder, file)).toString('base64');
  return `apiVersion: v1
kind: Config
clusters:
- name: tagline
  cluster:
    server: ${server}
    certificate-authority-data: ${b64('ca.crt')}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(`${certName}.crt`)}
    client-key-data: ${b64(`${certName}.key`)}
contexts:
- name: tagline
  context:
    cluster: tagline
    user: ${user}
    namespace: default
current-context: tagline
`;
}

/** The program's own pid (the tracked child is the `sh` that watches our pipe). */
function programPid(spawned: Spawned): number | undefined {
  const sh = spawned.child.pid;
  if (!sh) return undefined;
  try {
    const children = readFileSync(`/proc/${sh}/task/${sh}/children`, 'utf8').trim().split(/\s+/).map(Number);
    // The watchdog's `cat` subshell is the other child; the program is the one that is not a shell.
    return children.find((pid) => !/^(sh|dash|bash|cat)$/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()));
  } catch {
    return undefined;
  }
}

function peakKiB(pid: number | undefined, last: number): number {
  if (pid === undefined) return last;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.max(last, Number(match[1])) : last;
  } catch {
    return last;
  }
}

async function waitForReadyz(server: string, folder: string, deadlineMs: number, apiserver: Spawned, etcd: Spawned): Promise<void> {
  const agent = new Agent({ connect: { ca: readFileSync(join(folder, 'ca.crt')), cert: readFileSync(join(folder, 'admin.crt')), key: readFileSync(join(folder, 'admin.key')) } });
  try {
    let last = '';
    while (Date.now() < deadlineMs) {
      if (apiserver.child.exitCode !== null) throw new Error(`kube-apiserver exited:\n${apiserver.output().slice(-4000)}`);
      // Without etcd the API server never gets ready: say why at once instead of at the deadline.
      if (etcd.child.exitCode !== null) throw new Error(`etcd exited:\n${etcd.output().slice(-4000)}`);
      try {
        const response = await request(`${server}/readyz`, { dispatcher: agent });
        last = `${response.statusCode} ${await response.body.text()}`;
        if (response.statusCode === 200) return;
      } catch (error) {
        last = String(error);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`kube-apiserver at ${server} was not ready in time: ${last}\n${apiserver.output().slice(-4000)}`);
  } finally {
    await agent.close();
  }
}

async function waitForEstablished(crds: ApiextensionsV1Api, names: string[], deadlineMs: number): Promise<void> {
  for (const name of names) {
    for (;;) {
      const crd: V1CustomResourceDefinition = await crds.readCustomResourceDefinition({ name });
      if (crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadlineMs) throw new Error(`CRD ${name} was not Established in time`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Builds (once) and starts etcd, kube-apiserver and image-reflector-controller on loopback, with the
 * controller's CRDs and ClusterRole applied and a person's kubeconfig written. Rejects (after removing
 * everything it made) if any part does not come up within 90 s.
 *
 * None of the three programs can listen on port 0 and name the port it got, so five free ports are picked first
 * and handed over; another process on the machine may take one in between. A start that failed for that reason
 * alone (a program's own `address already in use`) starts afresh on new ports, up to three times in all.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(options);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
      options.log?.(`cluster: a port was taken while starting (attempt ${attempt}); starting again on new ports`);
    }
  }
}

async function startClusterOnce(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  ensurePackages();
  const binaries = {
    etcd: ensureBinary('etcd', log).path,
    apiserver: ensureBinary('kube-apiserver', log).path,
    controller: ensureBinary('image-reflector-controller', log).path,
  };
  const started = Date.now();
  const deadline = started + 90_000;
  const folder = makeTempFolder('tagline-cluster-');
  const etcdData = makeTempFolder('tagline-etcd-', true);
  const storage = makeTempFolder('tagline-controller-data-');
  const stops: (() => Promise<void>)[] = [];
  const peaks = { etcd: 0, 'kube-apiserver': 0, 'image-reflector-controller': 0 };
  const programs: Partial<Record<keyof typeof peaks, Spawned>> = {};
  const samplePeaks = () => {
    for (const name of Object.keys(programs) as (keyof typeof peaks)[]) peaks[name] = peakKiB(programPid(programs[name]!), peaks[name]);
  };
  const stop = async () => {
    samplePeaks();
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
    stops.length = 0;
    removeTempFolder(storage);
    removeTempFolder(etcdData);
    removeTempFolder(folder);
  };

  try {
    makePki(folder);
    const [etcdClient, etcdPeer, apiPort, metricsPort, healthPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const etcd = spawnTracked(binaries.etcd, [
      '--name=tagline', `--data-dir=${etcdData}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=tagline=http://127.0.0.1:${etcdPeer}`, '--listen-metrics-urls=', '--log-level=warn',
      '--unsafe-no-fsync', '--quota-backend-bytes=268435456',
    ]);
    programs.etcd = etcd;
    stops.push(() => etcd.stop());
    // With --log-level=warn etcd prints nothing when healthy, so the apiserver's own etcd health check is the
    // signal that it is up (below); here only an early exit is caught.

    const server = `https://127.0.0.1:${apiPort}`;
    const file = (name: string) => join(folder, name);
    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--tls-cert-file=${file('apiserver.crt')}`, `--tls-private-key-file=${file('apiserver.key')}`, `--client-ca-file=${file('ca.crt')}`,
      `--service-account-key-file=${file('sa.pub')}`, `--service-account-signing-key-file=${file('sa.key')}`,
      '--service-account-issuer=https://kubernetes.default.svc', '--api-audiences=https://kubernetes.default.svc',
      '--authorization-mode=RBAC', '--service-cluster-ip-range=10.96.0.0/24', `--cert-dir=${folder}`,
      '--enable-priority-and-fairness=false', '--profiling=false', '--v=0',
    ];
    const startApiserver = async (readyBy: number) => {
      const spawned = spawnTracked(binaries.apiserver, apiserverArgs);
      programs['kube-apiserver'] = spawned;
      stops.push(() => spawned.stop());
      await waitForReadyz(server, folder, readyBy, spawned, etcd);
      return spawned;
    };
    let apiserver = await startApiserver(deadline);

    const kubeconfigPath = file('kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml(server, folder, 'tagline-admin', 'admin'), { mode: 0o600 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);
    const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
    const core = kubeConfig.makeApiClient(CoreV1Api);

    // The controller's CRDs and ClusterRole from its module, bound to the controller's certificate's user.
    const controllerFiles = dirname(binaries.controller);
    const crdDocs = readdirSync(join(controllerFiles, 'crd')).sort()
      .flatMap((name) => loadAllYaml(readFileSync(join(controllerFiles, 'crd', name), 'utf8')) as KubernetesObject[]);
    const role = loadAllYaml(readFileSync(join(controllerFiles, 'rbac', 'role.yaml'), 'utf8')) as KubernetesObject[];
    for (const object of [...crdDocs, ...role]) await objects.create(object);
    await objects.create({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'image-reflector-controller' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role[0]!.metadata!.name! },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: CONTROLLER_USER }],
    } as KubernetesObject);
    await core.createNamespace({ body: { metadata: { name: FLUX_NAMESPACE } } });
    await waitForEstablished(kubeConfig.makeApiClient(ApiextensionsV1Api), crdDocs.map((crd) => crd.metadata!.name!), deadline);

    const controllerKubeconfig = file('controller.kubeconfig');
    writeFileSync(controllerKubeconfig, kubeconfigYaml(server, folder, CONTROLLER_USER, 'controller'), { mode: 0o600 });
    // controller-runtime reads KUBECONFIG (this release has no --kubeconfig flag); `env` execs the program.
    const controllerArgs = [
      `KUBECONFIG=${controllerKubeconfig}`, binaries.controller, `--storage-path=${storage}`, '--enable-leader-election=false',
      `--metrics-addr=127.0.0.1:${metricsPort}`, `--health-addr=127.0.0.1:${healthPort}`, '--watch-all-namespaces=true',
      '--log-level=debug', ...(options.controllerArgs ?? []),
    ];
    const startController = async () => {
      const controller = spawnTracked('env', controllerArgs, { cwd: folder });
      programs['image-reflector-controller'] = controller;
      stops.push(() => {
        // A controller left paused (SIGSTOP) by a failed test would never act on SIGTERM: resume it first.
        const pid = programPid(controller);
        if (pid !== undefined) try { process.kill(pid, 'SIGCONT'); } catch { /* already gone */ }
        return controller.stop();
      });
      await controller.waitFor(/"msg":"Starting workers"[^\n]*"controller":"imagerepository"/, Math.max(1000, deadline - Date.now()));
      // controller-runtime binds the metrics port in a goroutine of its own, racing the workers' start: only this
      // line says it got the port (if another process took it, the controller exits instead).
      await controller.waitFor(/"msg":"Serving metrics server"/, Math.max(1000, deadline - Date.now()));
      return controller;
    };
    let controller = await startController();
    const startMs = Date.now() - started;
    samplePeaks();
    log(`cluster: etcd ${versions.etcd.version}, kube-apiserver ${versions['kube-apiserver'].version}, image-reflector-controller ${versions['image-reflector-controller'].version} up in ${(startMs / 1000).toFixed(1)} s on ${server}`);

    return {
      server,
      kubeconfigPath,
      kubeConfig,
      objects,
      core,
      startMs,
      controllerLog: () => controller.output(),
      controllerLogWaitFor: (pattern, timeoutMs = 30_000) => controller.waitFor(pattern, timeoutMs),
      peakMemoryKiB() {
        samplePeaks();
        return { ...peaks };
      },
      async restartController() {
        samplePeaks();
        await controller.stop();
        controller = await startController();
      },
      async restartApiserver(whileDown) {
        samplePeaks();
        await apiserver.stop();
        await whileDown?.();
        apiserver = await startApiserver(Date.now() + 60_000);
      },
      pauseController(paused) {
        const pid = programPid(controller);
        if (pid === undefined) throw new Error('the controller is not running');
        process.kill(pid, paused ? 'SIGSTOP' : 'SIGCONT');
      },
      async compactEtcd() {
        const post = async (path: string, body: object) => {
          const response = await request(`${etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
          const text = await response.body.text();
          if (response.statusCode !== 200) throw new Error(`etcd ${path}: ${response.statusCode} ${text}`);
          return JSON.parse(text) as { header?: { revision?: string } };
        };
        const revision = Number((await post('/v3/kv/range', { key: Buffer.from('/').toString('base64'), limit: 1 })).header?.revision);
        await post('/v3/kv/compaction', { revision: String(revision), physical: true });
        return revision;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
