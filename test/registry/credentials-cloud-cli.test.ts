// `provider: aws|azure|gcp`: the person's own cloud CLI, here fake `aws`, `az` and `gcloud` executables on PATH
// that log their arguments and answer as the real ones do. The token they print is the password of the username
// each provider maps to, checked by the real htpasswd registry on loopback (the cloud hosts themselves are never
// contacted: the listing goes to the loopback registry with the cloud authenticator's credentials).
import { after, before, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageRepositorySpec } from '../../common/model';
import { getCondition } from '../../common/flux/conditions';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { buildScanOptions, clearCloudTokens, closeDispatchers, listTags, type CredentialContext } from '../../client/src/registry';
import { imageRepository, Sandbox, workspace } from './reconciler-fixtures';
import { ref, rejection, seconds } from './helpers';

const ECR = '123456789000.dkr.ecr.eu-west-3.amazonaws.com/team/app';
const ECR_PUBLIC = 'public.ecr.aws/team/app';
const ACR = 'myregistry.azurecr.io/team/app';
const GAR = 'europe-docker.pkg.dev/project/repo/app';
const AZURE_USER = '00000000-0000-0000-0000-000000000000';
const tokens = { aws: 'ecr-token.eyJwYXlsb2FkIjoi', az: 'acr-refresh-token.eyJhbGciOi', gcloud: 'ya29.a0AfB_byC-gcp-token' };

// Each fake CLI logs `name args…`, then behaves as `$HOME/<name>.mode` says: ok (the real CLI's answer), garbage
// (what a CLI prints when it is not signed in or talks to a proxy's HTML page), or hang (never answers).
const cli = (name: keyof typeof tokens, answer: string) => `#!/bin/sh
echo "${name} $*" >> "$HOME/calls.log"
mode=$(cat "$HOME/${name}.mode" 2>/dev/null || echo ok)
case "$mode" in
  hang) exec sleep 60 ;;
  garbage) printf '<html><body>Sign in to continue</body></html>\\n\\nWARNING: could not refresh credentials\\n' ;;
  *) printf '%s\\n' '${answer}' ;;
esac
`;

describe('cloud CLIs for provider aws, azure and gcp', () => {
  let bed: RegistryBed;
  let home: string;
  let ctx: CredentialContext;

  before(async () => {
    bed = await startRegistryBed({
      variant: 'basic',
      seed: { 'team/app': ['1.0.0', '1.1.0', '2.0.0'] },
      extraUsers: { AWS: tokens.aws, [AZURE_USER]: tokens.az, oauth2accesstoken: tokens.gcloud },
    });
    home = mkdtempSync(join(tmpdir(), 'tagline-cloud-'));
    mkdirSync(join(home, 'bin'));
    const scripts = {
      aws: cli('aws', tokens.aws),
      az: cli('az', JSON.stringify({ accessToken: tokens.az, loginServer: 'myregistry.azurecr.io' })),
      gcloud: cli('gcloud', tokens.gcloud),
    };
    for (const [name, text] of Object.entries(scripts)) {
      writeFileSync(join(home, 'bin', name), text);
      chmodSync(join(home, 'bin', name), 0o755);
    }
    ctx = { env: { HOME: home, PATH: `${join(home, 'bin')}:${process.env.PATH}` }, allowProcesses: true };
  });
  after(async () => { await closeDispatchers(); await bed?.stop(); rmSync(home, { recursive: true, force: true }); });
  beforeEach(() => {
    clearCloudTokens();
    for (const name of ['calls.log', 'aws.mode', 'az.mode', 'gcloud.mode']) rmSync(join(home, name), { force: true });
  });

  const calls = () => (existsSync(join(home, 'calls.log')) ? readFileSync(join(home, 'calls.log'), 'utf8').trim().split('\n') : []);
  const setMode = (name: keyof typeof tokens, mode: 'ok' | 'garbage' | 'hang') => writeFileSync(join(home, `${name}.mode`), mode);
  const authenticate = async (image: string, provider: ImageRepositorySpec['provider'], signal = seconds(10)) => {
    const repo = imageRepository('app', { image, provider });
    const options = await buildScanOptions(repo, ref(image), workspace([]), ctx);
    return { options, tags: () => listTags(ref(`${bed.host}/team/app`), options, signal) };
  };

  it('runs aws ecr get-login-password for the ECR region and signs in as AWS', async () => {
    const { tags } = await authenticate(ECR, 'aws');
    // docker-registry lists tags in no particular order (distribution 2.8); the set is what the sign-in unlocked.
    assert.deepEqual((await tags()).sort(), ['1.0.0', '1.1.0', '2.0.0']);
    assert.deepEqual(calls(), ['aws ecr get-login-password --region eu-west-3']);
  });

  it('runs aws ecr-public get-login-password --region us-east-1 for public.ecr.aws', async () => {
    const { tags } = await authenticate(ECR_PUBLIC, 'aws');
    assert.equal((await tags()).length, 3);
    assert.deepEqual(calls(), ['aws ecr-public get-login-password --region us-east-1']);
  });

  it('runs az acr login --expose-token and signs in with its accessToken as the all-zero GUID user', async () => {
    const { tags } = await authenticate(ACR, 'azure');
    assert.equal((await tags()).length, 3);
    assert.deepEqual(calls(), ['az acr login --name myregistry --expose-token --output json']);
  });

  it('runs gcloud auth print-access-token and signs in as oauth2accesstoken', async () => {
    const { tags } = await authenticate(GAR, 'gcp');
    assert.equal((await tags()).length, 3);
    assert.deepEqual(calls(), ['gcloud auth print-access-token']);
  });

  it('reuses a token across scans for 10 minutes, then runs the CLI again', async (t) => {
    t.after(() => mock.timers.reset());
    mock.timers.enable({ apis: ['Date'], now: Date.UTC(2026, 0, 1) });
    for (let scan = 0; scan < 3; scan++) await (await authenticate(GAR, 'gcp')).tags();
    assert.equal(calls().length, 1, 'three scans, one CLI run');
    mock.timers.tick(10 * 60_000 - 1);
    await (await authenticate(GAR, 'gcp')).tags();
    assert.equal(calls().length, 1, 'still fresh one millisecond before 10 minutes');
    mock.timers.tick(1);
    await (await authenticate(GAR, 'gcp')).tags();
    assert.deepEqual(calls(), ['gcloud auth print-access-token', 'gcloud auth print-access-token']);
  });

  it('keeps tokens apart per registry and provider', async () => {
    await (await authenticate(ECR, 'aws')).tags();
    await (await authenticate(ECR_PUBLIC, 'aws')).tags();
    await (await authenticate(ECR, 'aws')).tags();
    assert.deepEqual(calls(), ['aws ecr get-login-password --region eu-west-3', 'aws ecr-public get-login-password --region us-east-1']);
  });

  it('refuses what a CLI prints instead of a token, without echoing it, and does not remember the failure', async () => {
    setMode('aws', 'garbage');
    const aws = await rejection((await authenticate(ECR, 'aws')).tags());
    assert.equal(aws.message, 'failed to get access token for artifact registry: aws ecr get-login-password printed no token (expected one line of printable ASCII)');
    setMode('gcloud', 'garbage');
    const gcloud = await rejection((await authenticate(GAR, 'gcp')).tags());
    assert.equal(gcloud.message, 'failed to get access token for artifact registry: gcloud auth print-access-token printed no token (expected one line of printable ASCII)');
    setMode('az', 'garbage');
    const az = await rejection((await authenticate(ACR, 'azure')).tags());
    assert.equal(az.message, 'failed to get access token for artifact registry: az acr login --expose-token printed no accessToken');
    setMode('aws', 'ok');
    assert.equal((await (await authenticate(ECR, 'aws')).tags()).length, 3, 'the next scan runs the CLI again');
  });

  it('stops a CLI that hangs when the scan times out (spec.timeout), with ReadOperationFailed', async () => {
    setMode('aws', 'hang');
    const sandbox = new Sandbox();
    try {
      const reconciler = sandbox.reconciler(await sandbox.store(), {
        credentials: ctx,
        // The ECR host is not on loopback: list the bed's repository with the credentials built for ECR.
        registry: { buildScanOptions, listTags: (_reference, options, signal) => listTags(ref(`${bed.host}/team/app`), options, signal) },
      });
      const started = performance.now();
      reconciler.update(workspace([imageRepository('ecr', { image: ECR, provider: 'aws', interval: '5m', timeout: '1s' })]));
      await reconciler.whenIdle();
      const elapsed = performance.now() - started;
      const ready = getCondition(reconciler.status('default/ecr')!, 'Ready');
      assert.equal(ready?.reason, 'ReadOperationFailed');
      assert.equal(ready?.message, 'scan failed: failed to get access token for artifact registry: aws was stopped: the scan was cancelled or timed out');
      assert.ok(elapsed >= 1000 && elapsed < 30_000, `stopped after ${Math.round(elapsed)} ms, not at the 1 s timeout`);
      assert.deepEqual(calls(), ['aws ecr get-login-password --region eu-west-3']);
    } finally {
      await sandbox.dispose();
    }
  });
});
