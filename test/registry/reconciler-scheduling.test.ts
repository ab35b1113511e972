// When the reconciler scans and what it does when things go wrong (imagerepository_controller.go
// `shouldScan`, fluxcd/pkg runtime/controller/rate_limiter.go): backoff,
// timeouts, restarts on the same database, a damaged database, shared listings and cancellation.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { getCondition } from '../../common/flux/conditions';
import type { FluxEvent, ImageRepositoryObject } from '../../common/model';
import { dockerConfigSecret, imageRepository, ListingGate, ManualScheduler, tagListRequests, useRegistryBed, workspace } from './reconciler-fixtures';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('reconciler scheduling against a real registry', () => {
  const env = useRegistryBed({ variant: 'plain', shim: true, seed: { 'team/app': ['1.0.0', '1.1.0', '2.0.0'], 'team/other': ['a'] } });

  const app = (name = 'app', extra: Partial<ImageRepositoryObject['spec']> = {}) => imageRepository(name, { image: `${env.bed.host}/team/app`, ...extra });

  it('backs off 750 ms, 1.5 s, 3 s while the registry is down, with the connection error', async () => {
    const scheduler = new ManualScheduler();
    const reconciler = env.sandbox.reconciler(await env.sandbox.store(), { scheduler });
    const port = await closedPort();
    reconciler.update(workspace([imageRepository('down', { image: `127.0.0.1:${port}/team/app` })]));
    await reconciler.whenIdle();
    for (let i = 0; i < 2; i++) {
      scheduler.fireAll();
      await reconciler.whenIdle();
    }
    assert.deepEqual(scheduler.delays, [750, 1500, 3000]);
    const ready = getCondition(reconciler.status('default/down')!, 'Ready')!;
    assert.equal(ready.reason, 'ReadOperationFailed');
    assert.match(ready.message, /^scan failed: .*connection refused$/);
  });

  it('returns to the interval after the registry recovers', async () => {
    const scheduler = new ManualScheduler();
    const reconciler = env.sandbox.reconciler(await env.sandbox.store(), { scheduler });
    env.bed.faults([{ match: '/v2/team/app/tags/list', status: 404, times: 2 }]);
    reconciler.update(workspace([app()]));
    await reconciler.whenIdle();
    scheduler.fireAll();
    await reconciler.whenIdle();
    scheduler.fireAll();
    await reconciler.whenIdle();
    assert.deepEqual(scheduler.delays, [750, 1500, 300_000]);
    assert.equal(getCondition(reconciler.status('default/app')!, 'Ready')?.status, 'True');
    scheduler.fireAll();
    await reconciler.whenIdle();
    assert.equal(scheduler.delays.length, 4);
    assert.ok(scheduler.delays[3] > 290_000 && scheduler.delays[3] <= 300_000, 'requeued for the rest of the interval');
  });

  it('caps the interval with maxIntervalMs for local scanning', async () => {
    const scheduler = new ManualScheduler();
    const reconciler = env.sandbox.reconciler(await env.sandbox.store(), { scheduler, maxIntervalMs: 60_000 });
    const events: FluxEvent[] = [];
    reconciler.onEvent((e) => events.push(e));
    reconciler.update(workspace([app('capped', { interval: '24h' })]));
    await reconciler.whenIdle();
    assert.deepEqual(scheduler.delays, [60_000]);
  });

  it('does not requeue interval 0s (RequeueAfter 0) and floors tiny intervals at a second', async () => {
    const scheduler = new ManualScheduler();
    const reconciler = env.sandbox.reconciler(await env.sandbox.store(), { scheduler });
    reconciler.update(workspace([app('zero', { interval: '0s' }), app('tiny', { interval: '10ms' })]));
    await reconciler.whenIdle();
    assert.deepEqual(scheduler.pendingDelays, [1000]);
  });

  it('does not retry a Stalled or a suspended object', async () => {
    const scheduler = new ManualScheduler();
    const reconciler = env.sandbox.reconciler(await env.sandbox.store(), { scheduler });
    reconciler.update(workspace([imageRepository('stalled', { image: 'Alpine' }), app('paused', { suspend: true })]));
    await reconciler.whenIdle();
    assert.deepEqual(scheduler.pendingDelays, []);
    assert.equal(getCondition(reconciler.status('default/stalled')!, 'Stalled')?.message, 'could not parse reference: Alpine');
  });

  it('bounds the scan with spec.timeout: a slow registry gives context deadline exceeded', async () => {
    const reconciler = env.sandbox.reconciler(await env.sandbox.store());
    env.bed.faults([{ match: '/v2/team/app/tags/list', delayMs: 20_000 }]);
    const started = Date.now();
    reconciler.update(workspace([app('slow', { timeout: '1s' })]));
    await reconciler.whenIdle();
    const elapsed = Date.now() - started;
    const ready = getCondition(reconciler.status('default/slow')!, 'Ready')!;
    assert.equal(ready.reason, 'ReadOperationFailed');
    assert.match(ready.message, /^scan failed: .*context deadline exceeded$/);
    assert.ok(elapsed >= 900 && elapsed < 10_000, `took ${elapsed} ms: not at the 1 s timeout`);
  });

  it('rescans with Ready Unknown when the database lost the tags: no tags in database', async () => {
    const scheduler = new ManualScheduler();
    const store = await env.sandbox.store();
    const reconciler = env.sandbox.reconciler(store, { scheduler });
    reconciler.update(workspace([app('drift')]));
    await reconciler.whenIdle();
    store.clear();
    const seen: string[] = [];
    reconciler.onStatus((s) => seen.push(s.status.conditions.map((c) => `${c.type}=${c.status} ${c.message}`).join(' | ')));
    scheduler.fireAll();
    await reconciler.whenIdle();
    assert.equal(seen[0], 'Reconciling=True scanning: no tags in database | Ready=Unknown scanning: no tags in database');
    assert.match(seen.at(-1)!, /^Ready=True successful scan: found 3 tags with checksum \d+$/);
    assert.deepEqual(store.object('default/drift')?.tags, ['2.0.0', '1.1.0', '1.0.0']);
  });

  it('clearDatabase rescans every object at once, as a controller restarted on empty storage', async () => {
    const store = await env.sandbox.store();
    const reconciler = env.sandbox.reconciler(store);
    reconciler.update(workspace([app('one'), app('two', { exclusionList: ['^2'] })]));
    await reconciler.whenIdle();
    const reasons: string[] = [];
    reconciler.onStatus((s) => s.scanning && reasons.push(getCondition(s.status, 'Reconciling')!.message));
    await reconciler.clearDatabase();
    assert.deepEqual(reasons, ['scanning: no tags in database', 'scanning: no tags in database']);
    assert.deepEqual(store.object('default/two')?.tags, ['1.1.0', '1.0.0']);
    assert.equal(getCondition(reconciler.status('default/one')!, 'Ready')?.status, 'True');
  });

  it('reports a storage write failure as ReadOperationFailed: failed to set tags', async () => {
    const store = await env.sandbox.store();
    // A fault the real store cannot be made to produce on demand.
    store.setImageTags = () => {
      throw new Error('disk full');
    };
    const reconciler = env.sandbox.reconciler(store);
    reconciler.update(workspace([app('nowrite')]));
    await reconciler.whenIdle();
    const ready = getCondition(reconciler.status('default/nowrite')!, 'Ready')!;
    assert.equal(ready.reason, 'ReadOperationFailed');
    assert.equal(ready.message, `scan failed: failed to set tags for "${env.bed.host}/team/app": disk full`);
  });

  it('reports a storage read error as Failure: failed to determine if it\'s scan time', async () => {
    const scheduler = new ManualScheduler();
    const store = await env.sandbox.store();
    const reconciler = env.sandbox.reconciler(store, { scheduler });
    reconciler.update(workspace([app('noread')]));
    await reconciler.whenIdle();
    // A fault the real store cannot be made to produce on demand.
    store.object = () => {
      throw new Error('database is locked');
    };
    scheduler.fireAll();
    await reconciler.whenIdle();
    const ready = getCondition(reconciler.status('default/noread')!, 'Ready')!;
    assert.equal(ready.reason, 'Failure');
    assert.equal(ready.message, "failed to determine if it's scan time: database is locked");
    assert.equal(scheduler.delays.at(-1), 750);
  });

  it('does not rescan after a restart on the same database before the interval is up', async () => {
    const file = env.sandbox.path('restart.sqlite');
    const first = await env.sandbox.store(file);
    const before = env.sandbox.reconciler(first);
    before.update(workspace([app()]));
    await before.whenIdle();
    await before.dispose();
    await first.close();
    assert.equal(tagListRequests(env.bed.requests, 'team/app'), 1);

    const second = await env.sandbox.store(file);
    const after = env.sandbox.reconciler(second);
    const events: FluxEvent[] = [];
    after.onEvent((e) => events.push(e));
    after.update(workspace([app()]));
    await after.whenIdle();
    assert.equal(tagListRequests(env.bed.requests, 'team/app'), 1, 'no second listing');
    const status = after.status('default/app')!;
    assert.equal(getCondition(status, 'Ready')?.status, 'True');
    assert.equal(status.observedGeneration, 1);
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'Trace');
    assert.match(events[0].message, /^no change in repository configuration since last scan, next scan in 4m5\d/);

    after.update(workspace([app('app', { interval: '6m' })]));
    const statuses: string[] = [];
    after.onStatus((s) => statuses.push(getCondition(s.status, 'Reconciling')?.message ?? ''));
    await after.whenIdle();
    assert.equal(statuses[0], 'processing object: new generation 1 -> 2', 'the generation counter survives the restart');
  });

  it('moves a damaged database aside and rescans', async () => {
    const file = env.sandbox.path('damaged.sqlite');
    const first = await env.sandbox.store(file);
    const reconciler = env.sandbox.reconciler(first);
    reconciler.update(workspace([app()]));
    await reconciler.whenIdle();
    await reconciler.dispose();
    await first.close();
    writeFileSync(file, 'SQLite format 3\u0000 but then nothing that makes sense'.repeat(50));

    const second = await env.sandbox.store(file);
    assert.match(second.recoveredFrom ?? '', /damaged\.sqlite\.corrupt-/);
    const again = env.sandbox.reconciler(second);
    again.update(workspace([app()]));
    await again.whenIdle();
    assert.equal(getCondition(again.status('default/app')!, 'Ready')?.status, 'True');
    assert.equal(tagListRequests(env.bed.requests, 'team/app'), 2, 'scanned again');
  });

  it('lists an image once for many objects sharing it, each keeping its own exclusion result', async () => {
    const store = await env.sandbox.store();
    const gate = new ListingGate();
    const reconciler = env.sandbox.reconciler(store, { registry: gate.registry });
    gate.watch(reconciler);
    gate.hold(30);
    const objects = Array.from({ length: 30 }, (_, i) => app(`shared-${i}`, i % 2 ? { exclusionList: ['^1\\.'] } : {}));
    reconciler.update(workspace(objects));
    await reconciler.whenIdle();
    assert.equal(tagListRequests(env.bed.requests, 'team/app'), 1);
    assert.equal(reconciler.queue.listingsStarted, 1);
    assert.equal(reconciler.status('default/shared-0')?.lastScanResult?.tagCount, 3);
    assert.equal(reconciler.status('default/shared-1')?.lastScanResult?.tagCount, 1);
    assert.deepEqual(store.object('default/shared-1')?.tags, ['2.0.0']);
  });

  it('does not share a listing between objects with different credentials', async () => {
    const gate = new ListingGate();
    const reconciler = env.sandbox.reconciler(await env.sandbox.store(), { registry: gate.registry });
    gate.watch(reconciler);
    gate.hold(2);
    const secret = dockerConfigSecret('pull', 'default', env.bed.host, 'someone', 'not-needed');
    reconciler.update(workspace([app('anonymous'), app('with-secret', { secretRef: { name: 'pull' } })], [secret]));
    await reconciler.whenIdle();
    assert.equal(reconciler.queue.listingsStarted, 2);
    assert.equal(tagListRequests(env.bed.requests, 'team/app'), 2);
  });

  it('cancels the scan of an object that leaves the workspace', async () => {
    const reconciler = env.sandbox.reconciler(await env.sandbox.store());
    const events: FluxEvent[] = [];
    reconciler.onEvent((e) => events.push(e));
    env.bed.faults([{ match: '/v2/team/app/tags/list', delayMs: 20_000 }]);
    const scanning = new Promise<void>((resolve) => reconciler.onStatus((s) => s.scanning && resolve()));
    reconciler.update(workspace([app('going')]));
    await scanning;
    const started = Date.now();
    reconciler.update(workspace([]));
    await reconciler.whenIdle();
    assert.ok(Date.now() - started < 10_000, 'the listing was cancelled, not awaited');
    assert.equal(reconciler.status('default/going'), undefined);
    assert.deepEqual(events, []);
  });

  it('cancels a scan whose spec changed and reconciles the new generation', async () => {
    const reconciler = env.sandbox.reconciler(await env.sandbox.store());
    env.bed.faults([{ match: '/v2/team/app/tags/list', delayMs: 10_000 }]);
    const scanning = new Promise<void>((resolve) => reconciler.onStatus((s) => s.scanning && resolve()));
    reconciler.update(workspace([app('moving')]));
    await scanning;
    reconciler.update(workspace([imageRepository('moving', { image: `${env.bed.host}/team/other` })]));
    await reconciler.whenIdle();
    const status = reconciler.status('default/moving')!;
    assert.equal(status.canonicalImageName, `${env.bed.host}/team/other`);
    assert.equal(status.observedGeneration, 2);
    assert.equal(getCondition(status, 'Ready')?.status, 'True');
  });

  it('resolves requestReconcile once the requested reconcile is done', async () => {
    const reconciler = env.sandbox.reconciler(await env.sandbox.store());
    reconciler.update(workspace([app('asked')]));
    await reconciler.whenIdle();
    const before = reconciler.status('default/asked')!.lastScanResult!;
    await reconciler.requestReconcile();
    const after = reconciler.status('default/asked')!;
    assert.ok(after.lastHandledReconcileAt);
    assert.equal(tagListRequests(env.bed.requests, 'team/app'), 2);
    assert.equal(after.lastScanResult?.revision, before.revision);
  });
});
