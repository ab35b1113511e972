// The extension host's ImagePolicy reconciler against the real registry: a policy follows a rescan of its
// repository, re-evaluates a spec change without a scan, comes back from the tag database after a restart
// without any registry request, and reflects digests with a HEAD as digestReflectionPolicy says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getCondition } from '../../common/flux/conditions';
import { specHash } from '../../common/flux/generation';
import type { FluxEvent, ImagePolicyObject, ImagePolicySpec, ImageRepositoryObject, WorkspaceObjects } from '../../common/model';
import type { PolicyObjectStatus } from '../../common/protocol';
import { PolicyReconciler, type Reconciler } from '../../client/src/reconciler';
import type { TagStore } from '../../client/src/store';
import { seededManifestDigest } from '../harness/seed';
import { imageRepository, ManualScheduler, tagListRequests, useRegistryBed } from './reconciler-fixtures';

function imagePolicy(name: string, spec: Omit<ImagePolicySpec, 'imageRepositoryRef'> & { imageRepositoryRef?: ImagePolicySpec['imageRepositoryRef'] }): ImagePolicyObject {
  const full: ImagePolicySpec = { imageRepositoryRef: { name: 'app' }, ...spec };
  return { apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy', metadata: { name, namespace: 'apps' }, spec: full, specHash: specHash(full as unknown as Record<string, unknown>) };
}

const heads = (requests: { method: string; url: string }[], tag: string) =>
  requests.filter((r) => r.method === 'HEAD' && r.url.endsWith(`/v2/team/app/manifests/${tag}`)).length;

describe('ImagePolicies in the extension host reconciler, against a real registry', () => {
  const ctx = useRegistryBed({ variant: 'plain', shim: true, seed: { 'team/app': ['1.2.0', '1.10.0', '1.11.0-rc.1', 'latest'] } });

  /** A repository reconciler and a policy reconciler wired as the extension host wires them. */
  function controllers(store: TagStore, scheduler = new ManualScheduler()) {
    const repositories = ctx.sandbox.reconciler(store);
    const policies = new PolicyReconciler({ store, repositories, credentials: { env: ctx.sandbox.env, allowProcesses: false }, scheduler });
    const statuses: PolicyObjectStatus[] = [];
    const events: FluxEvent[] = [];
    policies.onStatus((s) => statuses.push(structuredClone(s)));
    policies.onEvent((e) => events.push(e));
    repositories.onStatus(() => policies.repositoryChanged());
    const apply = async (objects: WorkspaceObjects) => {
      repositories.update(objects);
      policies.update(objects);
      await repositories.whenIdle();
      await policies.whenIdle();
    };
    return { repositories, policies, statuses, events, scheduler, apply, dispose: () => policies.dispose() };
  }

  const objects = (repository: ImageRepositoryObject, ...imagePolicies: ImagePolicyObject[]): WorkspaceObjects =>
    ({ imageRepositories: [repository], secrets: [], serviceAccounts: [], imagePolicies });

  it('follows a rescan: a pushed tag moves latestRef, with the controller\'s "(previously …)" message and event', async () => {
    const { bed, sandbox } = ctx;
    await bed.seed('team/app', ['1.2.0', '1.10.0']);
    const store = await sandbox.store();
    const repository = imageRepository('app', { image: `${bed.host}/team/app` }, { namespace: 'apps' });
    const c = controllers(store);
    await c.apply(objects(repository, imagePolicy('app', { policy: { semver: { range: '>=1.0.0' } } })));
    const first = c.policies.status('apps/app')!;
    assert.deepEqual(first.latestRef, { name: `${bed.host}/team/app`, tag: '1.10.0' });
    assert.equal(getCondition(first, 'Ready')?.message, `Latest image tag for ${bed.host}/team/app resolved to 1.10.0`);

    await bed.seed('team/app', ['1.12.0']);
    await (c.repositories as Reconciler).requestReconcile('apps/app');
    await c.policies.whenIdle();
    const moved = c.policies.status('apps/app')!;
    assert.deepEqual(moved.latestRef, { name: `${bed.host}/team/app`, tag: '1.12.0' });
    assert.deepEqual(moved.observedPreviousRef, { name: `${bed.host}/team/app`, tag: '1.10.0' });
    const message = `Latest image tag for ${bed.host}/team/app resolved to 1.12.0 (previously ${bed.host}/team/app:1.10.0)`;
    assert.deepEqual({ ...getCondition(moved, 'Ready')!, lastTransitionTime: '' }, { type: 'Ready', status: 'True', reason: 'Succeeded', message, lastTransitionTime: '', observedGeneration: 1 });
    assert.deepEqual(c.events.map((e) => [e.type, e.reason, e.message, e.involvedObject.kind]).at(-1), ['Normal', 'Succeeded', message, 'ImagePolicy']);
    assert.equal(c.statuses.at(-1)?.key, 'apps/app');
    await c.dispose();
  });

  it('re-evaluates a changed spec on the stored tags, without a scan', async () => {
    const { bed, sandbox } = ctx;
    const store = await sandbox.store();
    const repository = imageRepository('app', { image: `${bed.host}/team/app` }, { namespace: 'apps' });
    const c = controllers(store);
    await c.apply(objects(repository, imagePolicy('app', { policy: { semver: { range: '>=1.0.0' } } })));
    const listings = tagListRequests(bed.requests, 'team/app');
    await c.apply(objects(repository, imagePolicy('app', { policy: { semver: { range: '<1.10.0' } } })));
    const status = c.policies.status('apps/app')!;
    assert.equal(status.latestRef?.tag, '1.2.0');
    assert.equal(status.observedGeneration, 2, 'a new spec is a new generation');
    assert.equal(tagListRequests(bed.requests, 'team/app'), listings, 'no listing for a policy change');
    await c.dispose();
  });

  it('shows the stored policy results after a restart, with no registry request at all', async () => {
    const { bed, sandbox } = ctx;
    const file = sandbox.path('restart.sqlite');
    const repository = imageRepository('app', { image: `${bed.host}/team/app` }, { namespace: 'apps' });
    const policy = imagePolicy('app', { policy: { semver: { range: '>=1.0.0' } }, digestReflectionPolicy: 'IfNotPresent' });
    const first = await sandbox.store(file);
    const before = controllers(first);
    await before.apply(objects(repository, policy));
    const resolved = structuredClone(before.policies.status('apps/app')!);
    assert.equal(resolved.latestRef?.digest, seededManifestDigest);
    await before.dispose();
    await before.repositories.dispose();
    await first.close();

    bed.requests.length = 0;
    const reopened = await sandbox.store(file);
    const after = controllers(reopened);
    after.repositories.update(objects(repository, policy));
    after.policies.update(objects(repository, policy));
    assert.deepEqual(after.statuses[0]?.status, resolved, 'the stored status is shown at once');
    await after.apply(objects(repository, policy));
    assert.deepEqual(after.policies.status('apps/app'), resolved);
    assert.deepEqual(bed.requests.map((r) => `${r.method} ${r.url}`), [], 'neither a listing nor a HEAD');
    await after.dispose();
  });

  it('reflects the digest once for IfNotPresent, every interval for Always, never for Never', async () => {
    const { bed, sandbox } = ctx;
    const store = await sandbox.store();
    const repository = imageRepository('app', { image: `${bed.host}/team/app` }, { namespace: 'apps' });
    const c = controllers(store);
    const once = imagePolicy('once', { policy: { semver: { range: '~1.10.0' } }, digestReflectionPolicy: 'IfNotPresent' });
    const always = imagePolicy('always', { policy: { alphabetical: {} }, filterTags: { pattern: '^1\\.2\\.0$' }, digestReflectionPolicy: 'Always', interval: '2m' });
    const never = imagePolicy('never', { policy: { alphabetical: {} }, filterTags: { pattern: '^latest$' } });
    await c.apply(objects(repository, once, always, never));
    assert.equal(c.policies.status('apps/once')?.latestRef?.digest, seededManifestDigest);
    assert.equal(c.policies.status('apps/always')?.latestRef?.digest, seededManifestDigest);
    assert.deepEqual(c.policies.status('apps/never')?.latestRef, { name: `${bed.host}/team/app`, tag: 'latest' });
    assert.deepEqual([heads(bed.requests, '1.10.0'), heads(bed.requests, '1.2.0'), heads(bed.requests, 'latest')], [1, 1, 0]);
    assert.deepEqual(c.scheduler.pendingDelays, [120_000], 'only Always comes back by itself, after spec.interval');

    c.scheduler.fireAll();
    await c.policies.requestReconcile();
    assert.deepEqual([heads(bed.requests, '1.10.0'), heads(bed.requests, '1.2.0'), heads(bed.requests, 'latest')], [1, 3, 0],
      'Always fetched on its interval and on request; IfNotPresent kept its digest; Never fetched nothing');
    await c.dispose();
  });

  it('reports a failed HEAD (a tag deleted since the scan) with the controller\'s words and retries with backoff', async () => {
    const { bed, sandbox } = ctx;
    await bed.seed('team/app', ['1.10.0']);
    const store = await sandbox.store();
    const repository = imageRepository('app', { image: `${bed.host}/team/app` }, { namespace: 'apps' });
    const c = controllers(store);
    await c.apply(objects(repository));
    await bed.deleteTags('team/app', ['1.10.0']);
    c.policies.update(objects(repository, imagePolicy('app', { policy: { semver: { range: '~1.10.0' } }, digestReflectionPolicy: 'IfNotPresent' })));
    await c.policies.whenIdle();
    const ready = getCondition(c.policies.status('apps/app')!, 'Ready')!;
    assert.equal(ready.reason, 'Failed');
    assert.match(ready.message, new RegExp(`^failed fetching digest of ${bed.host.replace(/\./g, '\\.')}/team/app:1\\.10\\.0: failed fetching descriptor for "${bed.host.replace(/\./g, '\\.')}/team/app:1\\.10\\.0": HEAD http://[^ ]+/v2/team/app/manifests/1\\.10\\.0: unexpected status code 404 Not Found \\(HEAD responses have no body, use GET for details\\)$`));
    assert.deepEqual(c.scheduler.pendingDelays, [750], 'the first backoff step');
    await c.dispose();
    await bed.seed('team/app', ['1.10.0']);
  });
});
