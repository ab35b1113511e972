// buildScanOptions end to end: workspace Secrets and ServiceAccounts, then the person's own credentials (docker
// config auths, credential helpers, Podman), against the real htpasswd registry.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageRepositoryObject, ImageRepositorySpec, SecretObject, ServiceAccountObject, WorkspaceObjects } from '../../common/model';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { buildScanOptions, clearHelperAnswers, closeDispatchers, listTags, RegistryError, type CredentialContext } from '../../client/src/registry';
import { ref, rejection, seconds } from './helpers';

const b64 = (text: string) => Buffer.from(text).toString('base64');

function imageRepository(spec: Partial<ImageRepositorySpec>): ImageRepositoryObject {
  return { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: { name: 'app', namespace: 'apps' }, spec: { image: 'unused', interval: '1m', ...spec }, specHash: 'test' };
}
function dockerSecret(name: string, auths: Record<string, object>, type = 'kubernetes.io/dockerconfigjson'): SecretObject {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'apps' }, type, data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) } };
}
function serviceAccount(name: string, pullSecrets: string[]): ServiceAccountObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'apps' }, imagePullSecrets: pullSecrets.map((n) => ({ name: n })) };
}
const workspace = (secrets: SecretObject[] = [], serviceAccounts: ServiceAccountObject[] = []): WorkspaceObjects => ({ imageRepositories: [], secrets, serviceAccounts });

describe('the credential chain against an htpasswd registry', () => {
  let bed: RegistryBed;
  let home: string;
  let ctx: CredentialContext;
  let image: string;
  const basicAuth = () => ({ username: bed.credentials!.username, password: bed.credentials!.password });

  before(async () => {
    bed = await startRegistryBed({ variant: 'basic', seed: { 'team/app': ['1.0.0', '1.1.0', '2.0.0'] } });
    image = `${bed.host}/team/app`;
    home = mkdtempSync(join(tmpdir(), 'tagline-home-'));
    mkdirSync(join(home, 'bin'));
    // A docker-credential helper speaking the real protocol; it logs each call so the test can see who ran.
    for (const [name, password] of [['test', bed.credentials!.password], ['wrongstore', 'not-the-password']] as const) {
      const script = join(home, 'bin', `docker-credential-${name}`);
      writeFileSync(script, `#!/bin/sh
[ "$1" = get ] || exit 1
read server
echo "${name} $server" >> "${join(home, 'helper.log')}"
case "$server" in
  ${bed.host}) printf '{"ServerURL":"%s","Username":"${bed.credentials!.username}","Secret":"${password}"}' "$server" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`);
      chmodSync(script, 0o755);
    }
    ctx = { env: { HOME: home, PATH: `${join(home, 'bin')}:${process.env.PATH}` }, allowProcesses: true };
  });
  after(async () => { await closeDispatchers(); await bed?.stop(); rmSync(home, { recursive: true, force: true }); });

  const setDockerConfig = (config: object | undefined) => {
    clearHelperAnswers();
    const path = join(home, '.docker', 'config.json');
    if (config === undefined) { rmSync(path, { force: true }); return; }
    mkdirSync(join(home, '.docker'), { recursive: true });
    writeFileSync(path, JSON.stringify(config));
  };
  const helperCalls = () => (existsSync(join(home, 'helper.log')) ? readFileSync(join(home, 'helper.log'), 'utf8').trim().split('\n') : []);
  const scan = async (spec: Partial<ImageRepositorySpec>, objects: WorkspaceObjects, context = ctx) => {
    const options = await buildScanOptions(imageRepository({ image, ...spec }), ref(image), objects, context);
    return listTags(ref(image), options, seconds(5));
  };

  it('scans anonymously without any credentials, and is refused', async () => {
    setDockerConfig(undefined);
    const error = await rejection(scan({}, workspace()));
    assert.match(error.message, /UNAUTHORIZED: authentication required/);
  });

  it('uses a dockerconfigjson secretRef whose key is host:port', async () => {
    const tags = await scan({ secretRef: { name: 'pull' } }, workspace([dockerSecret('pull', { [bed.host]: basicAuth() })]));
    assert.equal(tags.length, 3);
  });

  it('uses the auth field of a kubernetes.io/dockercfg Secret', async () => {
    const cfg: SecretObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'old', namespace: 'apps' }, type: 'kubernetes.io/dockercfg',
      data: { '.dockercfg': b64(JSON.stringify({ [`http://${bed.host}`]: { auth: b64(`${bed.credentials!.username}:${bed.credentials!.password}`) } })) } };
    assert.equal((await scan({ secretRef: { name: 'old' } }, workspace([cfg]))).length, 3);
  });

  it('uses the ServiceAccount\'s imagePullSecrets', async () => {
    const tags = await scan({ serviceAccountName: 'puller' }, workspace([dockerSecret('pull', { [bed.host]: basicAuth() })], [serviceAccount('puller', ['pull'])]));
    assert.equal(tags.length, 3);
  });

  it('ignores an Opaque Secret holding .dockerconfigjson, as the controller does (anonymous)', async () => {
    const error = await rejection(scan({ secretRef: { name: 'pull' } }, workspace([dockerSecret('pull', { [bed.host]: basicAuth() }, 'Opaque')])));
    assert.match(error.message, /UNAUTHORIZED/);
  });

  it('gives the controller\'s errors for missing Secrets and ServiceAccounts', async () => {
    const repo = imageRepository({ image });
    const cases: [Partial<ImageRepositorySpec>, WorkspaceObjects, string][] = [
      [{ secretRef: { name: 'nope' } }, workspace(), 'secrets "nope" not found'],
      [{ serviceAccountName: 'ghost' }, workspace(), "serviceaccount 'apps/ghost' not found"],
      [{ serviceAccountName: 'puller' }, workspace([], [serviceAccount('puller', ['gone'])]), "failed to get image pull secret for serviceaccount 'apps/puller': secret 'apps/gone' not found"],
      [{ certSecretRef: { name: 'certs' } }, workspace(), "secret 'apps/certs' not found"],
      [{ proxySecretRef: { name: 'proxy' } }, workspace(), "secret 'apps/proxy' not found"],
      [{ provider: 'unsupported-provider' }, workspace(), "provider 'unsupported-provider' not implemented"],
    ];
    for (const [spec, objects, message] of cases) {
      const error = await rejection(buildScanOptions({ ...repo, spec: { ...repo.spec, ...spec } }, ref(image), objects, ctx));
      assert.ok(error instanceof RegistryError);
      assert.equal(error.message, message);
    }
  });

  it('accepts the GetOptions rows that must succeed (TestNewAuthOptionsGetter_GetOptions)', async () => {
    const { ca } = await import('../harness/certs').then((m) => m.testPki());
    const objects = workspace([
      dockerSecret('pull', { [bed.host]: basicAuth() }),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'certs', namespace: 'apps' }, data: { 'ca.crt': b64(ca) } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'proxy', namespace: 'apps' }, data: { address: b64('http://proxy.example.com') } },
      { ...dockerSecret('docker-with-tls', {}), metadata: { name: 'docker-with-tls', namespace: 'apps' }, data: { '.dockerconfigjson': b64('{"auths":{}}'), 'ca.crt': b64(ca) } },
    ], [serviceAccount('empty', []), serviceAccount('puller', ['pull'])]);
    const ok: Partial<ImageRepositorySpec>[] = [
      {},
      { secretRef: { name: 'pull' } },
      { provider: 'aws', image: '123456789000.dkr.ecr.us-east-2.amazonaws.com/test' },
      { image: '123456789000.dkr.ecr.us-east-2.amazonaws.com/test' },
      { certSecretRef: { name: 'certs' } },
      { proxySecretRef: { name: 'proxy' } },
      { secretRef: { name: 'pull' }, certSecretRef: { name: 'certs' }, proxySecretRef: { name: 'proxy' } },
      { certSecretRef: { name: 'docker-with-tls' } },
      { serviceAccountName: 'empty' },
      { serviceAccountName: 'puller' },
    ];
    for (const spec of ok) await buildScanOptions(imageRepository({ image, ...spec }), ref(image), objects, ctx);
  });

  it('reports a SOPS-encrypted pull secret when the registry refuses the scan', async () => {
    const sops: SecretObject = { ...dockerSecret('pull', {}), data: { '.dockerconfigjson': 'ENC[AES256_GCM,data:abc,type:str]' }, sopsEncrypted: true };
    const error = await rejection(scan({ secretRef: { name: 'pull' } }, workspace([sops])));
    assert.match(error.message, /UNAUTHORIZED: authentication required.*\(secret 'apps\/pull' is SOPS-encrypted in the workspace and cannot be read locally; decrypt it \(sops -d\) or sign in to the registry instead\)$/);
  });

  it('falls back to credentials the person signed in with', async () => {
    const tags = await scan({}, workspace(), { ...ctx, signedIn: async (registry) => (registry === bed.host ? basicAuth() : undefined) });
    assert.equal(tags.length, 3);
  });

  it('prefers a matching workspace Secret over the person\'s own credentials', async () => {
    const error = await rejection(scan({ secretRef: { name: 'pull' } }, workspace([dockerSecret('pull', { [bed.host]: { username: 'someone', password: 'else' } })]),
      { ...ctx, signedIn: async () => basicAuth() }));
    assert.match(error.message, /UNAUTHORIZED/);
  });

  it('reads auths from $DOCKER_CONFIG/config.json with the pull-secret keychain matching', async () => {
    const folder = join(home, 'dockerconfig');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'config.json'), JSON.stringify({ auths: { [`http://${bed.host}`]: { auth: b64(`${bed.credentials!.username}:${bed.credentials!.password}`) } } }));
    assert.equal((await scan({}, workspace(), { ...ctx, env: { ...ctx.env, DOCKER_CONFIG: folder } })).length, 3);
  });

  it('reads auths from ~/.docker/config.json', async () => {
    setDockerConfig({ auths: { [bed.host]: basicAuth() } });
    assert.equal((await scan({}, workspace())).length, 3);
  });

  it('runs the credHelpers helper for the registry (docker-credential-test get)', async () => {
    rmSync(join(home, 'helper.log'), { force: true });
    setDockerConfig({ credHelpers: { [bed.host]: 'test' } });
    assert.equal((await scan({}, workspace())).length, 3);
    assert.deepEqual(helperCalls(), [`test ${bed.host}`]);
  });

  it('runs the helper once for many scans in a row', async () => {
    rmSync(join(home, 'helper.log'), { force: true });
    setDockerConfig({ credHelpers: { [bed.host]: 'test' } });
    for (let i = 0; i < 3; i++) assert.equal((await scan({}, workspace())).length, 3);
    assert.deepEqual(helperCalls(), [`test ${bed.host}`]);
  });

  it('asks credHelpers before credsStore', async () => {
    rmSync(join(home, 'helper.log'), { force: true });
    setDockerConfig({ credsStore: 'wrongstore', credHelpers: { [bed.host]: 'test' } });
    assert.equal((await scan({}, workspace())).length, 3);
    assert.deepEqual(helperCalls(), [`test ${bed.host}`]);
  });

  it('uses credsStore when no credHelper is set for the registry', async () => {
    rmSync(join(home, 'helper.log'), { force: true });
    setDockerConfig({ credsStore: 'wrongstore', credHelpers: { 'ghcr.io': 'test' } });
    const error = await rejection(scan({}, workspace()));
    assert.match(error.message, /UNAUTHORIZED/);
    assert.deepEqual(helperCalls(), [`wrongstore ${bed.host}`]);
  });

  it('runs no helper in an untrusted workspace', async () => {
    rmSync(join(home, 'helper.log'), { force: true });
    setDockerConfig({ credHelpers: { [bed.host]: 'test' } });
    await rejection(scan({}, workspace(), { ...ctx, allowProcesses: false }));
    assert.deepEqual(helperCalls(), []);
  });

  it('says clearly when a configured helper is not installed', async () => {
    setDockerConfig({ credHelpers: { [bed.host]: 'missing' } });
    const error = await rejection(scan({}, workspace()));
    assert.equal(error.message, 'credential helper docker-credential-missing is configured in the docker config but not installed (not on PATH)');
  });

  it('does not fail on a default credsStore whose helper is missing, and names it if the registry refuses', async () => {
    setDockerConfig({ credsStore: 'desktop', auths: { [bed.host]: basicAuth() } });
    assert.equal((await scan({}, workspace())).length, 3);
    setDockerConfig({ credsStore: 'desktop' });
    const error = await rejection(scan({}, workspace()));
    assert.match(error.message, /UNAUTHORIZED: authentication required.*\(credential helper docker-credential-desktop is configured in the docker config but not installed \(not on PATH\) \(credsStore in .*config\.json\)\)$/);
  });

  it('reads Podman\'s auth.json from $REGISTRY_AUTH_FILE and $XDG_RUNTIME_DIR', async () => {
    setDockerConfig(undefined);
    const file = join(home, 'podman-auth.json');
    writeFileSync(file, JSON.stringify({ auths: { [bed.host]: { auth: b64(`${bed.credentials!.username}:${bed.credentials!.password}`) } } }));
    assert.equal((await scan({}, workspace(), { ...ctx, env: { ...ctx.env, REGISTRY_AUTH_FILE: file } })).length, 3);
    const runtime = join(home, 'run');
    mkdirSync(join(runtime, 'containers'), { recursive: true });
    writeFileSync(join(runtime, 'containers', 'auth.json'), readFileSync(file));
    assert.equal((await scan({}, workspace(), { ...ctx, env: { ...ctx.env, XDG_RUNTIME_DIR: runtime } })).length, 3);
  });

  it('fails a cloud provider lazily, at scan time, when its CLI is missing', async () => {
    const options = await buildScanOptions(imageRepository({ image: 'gcr.io/project/image', provider: 'gcp' }), ref('gcr.io/project/image'), workspace(), { ...ctx, env: { PATH: '/nonexistent' } });
    const error = await rejection(listTags(ref(image), options, seconds(5)));
    assert.match(error.message, /the gcloud CLI is not installed/);
  });
});
