// The cluster-mode session of the e2e suite: the real kube-apiserver + etcd + image-reflector-controller
// (test/harness/cluster.ts) and a real registry, a VS Code server of its own whose settings name two kubeconfig
// contexts (`tagline`, a person's client certificate; `jane`, a bearer token for namespace `apps` only), the
// extension-host suite host/cluster.test.ts, then a person's window for the side-by-side hover screenshot.
// Only this session has a kubeconfig or cluster settings. The host suite asks this driver, over a loopback HTTP
// probe, for what only the driver can do: answer the first-write dialog, click Cancel, pause the controller,
// push a tag, count registry requests by user agent.
import { createServer } from 'node:http';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { workbenchUrl } from './lib/browser.mjs';
import { prepareInstallation, startVscodeServer } from './lib/vscodeServer.mjs';

const TAGS = ['6.5.0', '6.5.1', '6.6.0'];

const repositoryDoc = (name, image, interval) => `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: ${name}
  namespace: apps
spec:
  image: ${image}
  interval: ${interval}
  insecure: true
`;

const policyDoc = (name, range) => `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: ${name}
  namespace: apps
spec:
  imageRepositoryRef:
    name: podinfo
  policy:
    semver:
      range: "${range}"
`;

const repository = (name, image, interval) => ({
  apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { namespace: 'apps', name },
  spec: { image, interval, insecure: true },
});
const policy = (name, range) => ({
  apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy', metadata: { namespace: 'apps', name },
  spec: { imageRepositoryRef: { name: 'podinfo' }, policy: { semver: { range } } },
});

/** Cluster and workspace, with one of each kind of drift and one failing repository. */
async function seed(cluster, root, registry) {
  const image = `${registry}/cluster/podinfo`;
  await cluster.core.createNamespace({ body: { metadata: { name: 'apps' } } });
  for (const object of [
    repository('podinfo', image, '1h'), policy('podinfo', '>=6.0.0'),
    repository('drifted', image, '10m'), policy('drifted-policy', '>=6.5.0'),
    repository('cluster-only', image, '1h'),
    repository('failing', `${registry}/cluster/missing`, '1h'),
    // Its pull Secret is in the workspace only: the cluster fails, the laptop (source both) is Ready.
    { ...repository('hidden-secret', image, '1h'), spec: { ...repository('hidden-secret', image, '1h').spec, secretRef: { name: 'pull-secret' } } },
  ]) await cluster.objects.create(object);
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'podinfo.yaml'), `${repositoryDoc('podinfo', image, '1h')}---\n${policyDoc('podinfo', '>=6.0.0')}`);
  writeFileSync(path.join(root, 'drifted.yaml'), `${repositoryDoc('drifted', image, '5m')}---\n${policyDoc('drifted-policy', '>=6.6.0')}`);
  writeFileSync(path.join(root, 'local-only.yaml'), repositoryDoc('local-only', image, '1h'));
  writeFileSync(path.join(root, 'failing.yaml'), repositoryDoc('failing', `${registry}/cluster/missing`, '1h'));
  const dockerconfig = Buffer.from(JSON.stringify({ auths: { [registry]: { username: 'reader', password: 'not-checked' } } })).toString('base64');
  writeFileSync(path.join(root, 'hidden-secret.yaml'), `${repositoryDoc('hidden-secret', image, '1h')}  secretRef:\n    name: pull-secret\n---
apiVersion: v1
kind: Secret
metadata:
  name: pull-secret
  namespace: apps
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ${dockerconfig}
`);
}

/** A service account allowed to read ImageRepositories and ImagePolicies in `apps` only; returns its token. */
async function janeToken(cluster, RbacAuthorizationV1Api) {
  await cluster.core.createNamespacedServiceAccount({ namespace: 'apps', body: { metadata: { name: 'jane' } } });
  const rbac = cluster.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace: 'apps', body: {
    metadata: { name: 'image-reader' },
    rules: [{ apiGroups: ['image.toolkit.fluxcd.io'], resources: ['imagerepositories', 'imagepolicies'], verbs: ['get', 'list', 'watch'] }],
  } });
  await rbac.createNamespacedRoleBinding({ namespace: 'apps', body: {
    metadata: { name: 'jane-reads' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'image-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'jane', namespace: 'apps' }],
  } });
  const { status } = await cluster.core.createNamespacedServiceAccountToken({ namespace: 'apps', name: 'jane', body: { spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600 } } });
  return status.token;
}

function kubeconfig(cluster, token) {
  const c = cluster.kubeConfig.getCurrentCluster();
  const u = cluster.kubeConfig.getCurrentUser();
  return `apiVersion: v1
kind: Config
current-context: tagline
clusters:
- name: tagline
  cluster: { server: "${c.server}", certificate-authority-data: "${c.caData}" }
users:
- name: tagline-admin
  user: { client-certificate-data: "${u.certData}", client-key-data: "${u.keyData}" }
- name: jane
  user: { token: "${token}" }
contexts:
- name: tagline
  context: { cluster: tagline, user: tagline-admin, namespace: default }
- name: jane
  context: { cluster: tagline, user: jane, namespace: apps }
`;
}

/** Every file under `folder` whose bytes hold `secret`. */
function filesHolding(folder, secret) {
  const found = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      const stat = statSync(full, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile() && stat.size < 50_000_000 && readFileSync(full).includes(secret)) found.push(full);
    }
  };
  walk(folder);
  return found;
}

/** The loopback control channel of the host suite (see the header). */
async function startProbe({ cluster, bed, artifacts, log, state }) {
  const routes = {
    'GET /requests': () => bed.requests.filter((r) => r.url.startsWith('/v2/cluster/')).map((r) => ({ url: r.url, userAgent: r.userAgent })),
    'GET /dialogs': () => state.dialogs,
    'POST /push': async ({ repository: repo, tags }) => { await bed.seed(repo, tags); return {}; },
    'POST /controller': ({ paused }) => { cluster.pauseController(paused); return {}; },
    'POST /measure': (m) => {
      state.measures.push(m);
      log(`measured: ${m.what}: ${m.ms} ms`);
      writeFileSync(path.join(artifacts, 'cluster-latency.json'), JSON.stringify(state.measures, null, 2) + '\n');
      return {};
    },
    'GET /cancel': async () => {
      // The newest toast with a Cancel button: an earlier reconcile's toast may still be fading out.
      const cancel = state.page.locator('.notification-toast', { hasText: 'Waiting for the controller to reconcile' })
        .locator('.monaco-button', { hasText: 'Cancel' }).last();
      await cancel.waitFor({ state: 'visible', timeout: 30_000 });
      await state.page.screenshot({ path: path.join(artifacts, 'cluster-progress.png') });
      // A toast above it fading out moves it while the click lands: click until the progress toast is gone.
      const progress = state.page.locator('.notification-toast', { hasText: 'Waiting for the controller to reconcile' });
      for (let attempt = 0; ; attempt++) {
        await cancel.click({ timeout: 10_000 }).catch((err) => { if (attempt >= 5) throw err; });
        const gone = await progress.first().waitFor({ state: 'hidden', timeout: 3_000 }).then(() => true, () => false);
        if (gone) break;
        if (attempt >= 5) throw new Error('the progress notification stayed after clicking Cancel 6 times');
      }
      return {};
    },
  };
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    try {
      const route = routes[`${req.method} ${req.url}`];
      if (!route) throw new Error(`no route ${req.method} ${req.url}`);
      const body = await route(chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {});
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } catch (err) {
      res.writeHead(500).end(String(err?.message ?? err));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // A request still open (a host test that failed mid-ask) must not keep close() waiting.
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }) };
}

/** Answers the first-write confirmation (a quick pick; once, with a screenshot) for as long as the page is open. */
async function answerDialogs(page, state, artifacts) {
  for (;;) {
    const question = page.locator('.quick-input-widget', { has: page.locator('.quick-input-list .monaco-list-row', { hasText: 'Yes, and don\'t ask again' }) });
    try {
      await question.waitFor({ state: 'visible', timeout: 0 });
      const placeholder = await question.locator('input').getAttribute('placeholder');
      state.dialogs.push(`${await question.locator('.quick-input-title').innerText()} ${placeholder}`);
      await page.screenshot({ path: path.join(artifacts, 'cluster-confirm.png') });
      await question.locator('.quick-input-list .monaco-list-row', { hasText: 'Yes, and don\'t ask again' }).click();
      await question.waitFor({ state: 'hidden' });
    } catch {
      return;
    }
  }
}

/** A person's window: the side-by-side hover on spec.image and the Cluster view, as screenshots. */
async function screenshots({ browser, server, root, artifacts }) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(workbenchUrl(server.url, root));
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('podinfo.yaml');
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'podinfo.yaml' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active[aria-label^="podinfo.yaml"]').waitFor({ timeout: 45_000 });
    // The Tagline container, so the screenshot shows both trees beside the hover.
    await page.locator('.activitybar .action-item a[aria-label^="Tagline"]').first().click();
    await page.locator('.monaco-list-row', { hasText: 'Cluster: tagline' }).first().waitFor({ timeout: 60_000 });
    // jane may list `apps` only: a fresh window must still fall back to the workspace's namespaces.
    await page.locator('.monaco-list-row', { hasText: 'Cluster: jane' }).filter({ hasText: '7 objects' }).first().waitFor({ timeout: 60_000 });
    const image = page.locator('.editor-group-container.active .view-line', { hasText: 'image:' }).locator('span span', { hasText: '/cluster/podinfo' }).last();
    await image.click();
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'cluster tagline:' });
    await hover.first().waitFor({ timeout: 45_000 });
    // The cluster lines are escaped text: their spaces render as no-break spaces.
    const text = (await hover.first().innerText()).replace(/\u00a0/g, ' ');
    if (!/cluster tagline: Ready · 4 tags · scanned .+ · latest 6\.7\.0/.test(text) || !text.includes('6.5.1')) {
      throw new Error(`the hover lacks the local tags or the cluster line:\n${text.split('\n').filter((l) => /cluster|tags/.test(l)).join('\n')}`);
    }
    if (text.indexOf('6.5.1') > text.indexOf('cluster tagline:')) throw new Error(`the cluster's line is not under the local view:\n${text}`);
    await page.screenshot({ path: path.join(artifacts, 'cluster-hover.png') });
  } finally {
    await page.close();
  }
}

/**
 * Runs the session; `check(name, fn)` records a driver-side result, `runHostTests` is run.mjs's. Returns after
 * stopping everything it started.
 */
export async function runCluster({ browser, serverMain, vsix, scratch, env, testsFile, artifacts, repoRoot, log, check, runHostTests }) {
  const harness = (file) => tsImport(pathToFileURL(path.join(repoRoot, 'test', 'harness', file)).href, import.meta.url);
  const [{ startCluster }, { startRegistryBed }, { RbacAuthorizationV1Api }] = await Promise.all([
    harness('cluster.ts'), harness('registry-bed.ts'), import('@kubernetes/client-node'),
  ]);
  const stops = [];
  try {
    const [cluster, bed] = await Promise.all([
      startCluster({ log }),
      startRegistryBed({ variant: 'plain', shim: true, seed: { 'cluster/podinfo': TAGS } }),
    ]);
    stops.push(() => cluster.stop(), () => bed.stop());
    const root = path.join(scratch, 'cluster-workspace');
    await seed(cluster, root, bed.host);
    const token = await janeToken(cluster, RbacAuthorizationV1Api);
    const kubeconfigPath = path.join(scratch, 'cluster-kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig(cluster, token), { mode: 0o600 });

    const state = { dialogs: [], measures: [], page: undefined };
    const probe = await startProbe({ cluster, bed, artifacts, log, state });
    stops.push(() => probe.close());
    const installation = await prepareInstallation({
      root: path.join(scratch, 'vscode-cluster'), serverMain, vsix,
      settings: { 'tagline.logLevel': 'trace', 'tagline.cluster.contexts': ['tagline', 'jane'], 'tagline.reconciler.source': 'cluster' },
    });
    const resultsFile = path.join(scratch, 'cluster-results.txt');
    const server = await startVscodeServer({
      serverMain, installation, logFile: path.join(scratch, 'vscode-server-cluster.log'),
      env: {
        ...env, KUBECONFIG: kubeconfigPath, TAGLINE_E2E_HOST_SUITE: 'cluster', TAGLINE_E2E_RESULTS: resultsFile,
        TAGLINE_E2E_PROBE: probe.url, TAGLINE_E2E_CLUSTER: JSON.stringify({ root, registry: bed.host }),
      },
    });
    stops.push(() => server.stop());
    log(`cluster session: ${cluster.server}, registry ${bed.host}, VS Code ${server.url}`);
    await runHostTests({
      browser, server, workspaceFile: root, extensionFolder: installation.extensionFolder, testsFile, resultsFile,
      label: 'cluster', timeoutMs: 600_000,
      during: (page) => {
        state.page = page;
        void answerDialogs(page, state, artifacts);
      },
    });
    await check('a real VS Code window shows the cluster\'s line under the local hover (cluster-hover.png)', () => screenshots({ browser, server, root, artifacts }));
    await server.stop();
    await check('no kubeconfig token in VS Code\'s logs, settings or state', async () => {
      // The Tagline output channel's file is among them: it logged jane's refused list.
      if (filesHolding(installation.root, 'cluster jane: imagerepositories.image.toolkit.fluxcd.io is forbidden').length === 0) {
        throw new Error(`no Tagline log under ${installation.root}`);
      }
      const leaks = filesHolding(installation.root, token);
      if (leaks.length > 0) throw new Error(`the token is in ${leaks.join(', ')}`);
    });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}
