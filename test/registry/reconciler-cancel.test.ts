// A rescan request withdrawn by its caller (the editor's Cancel): the listing is aborted, the object is left
// exactly as before the request, and objects sharing that listing without cancelling still get their result.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FluxEvent, ImageRepositoryStatus } from '../../common/model';
import type { ObjectStatus } from '../../common/protocol';
import { imageRepository, ListingGate, ManualClock, ManualScheduler, tagListRequests, useRegistryBed, workspace } from './reconciler-fixtures';

const INTERVAL_MS = 5 * 60_000;

describe('cancelling a rescan request against a real registry', () => {
  const env = useRegistryBed({ variant: 'plain', shim: true, seed: { 'team/app': ['1.0.0', '1.1.0', '2.0.0'] } });

  const app = (name: string) => imageRepository(name, { image: `${env.bed.host}/team/app` });

  /** Resolves once the shim has received `count` tag list requests (the listing really went out; 30 s bounds a hang). */
  async function shimSaw(count: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (tagListRequests(env.bed.requests, 'team/app') < count) {
      if (Date.now() > deadline) throw new Error(`the shim saw ${tagListRequests(env.bed.requests, 'team/app')} tag list requests, wanted ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('aborts the listing, restores the status and the requeue timer, and emits no event', async () => {
    const scheduler = new ManualScheduler();
    const clock = new ManualClock();
    const store = await env.sandbox.store();
    const reconciler = env.sandbox.reconciler(store, { scheduler, clock: clock.now });
    const events: FluxEvent[] = [];
    const statuses: ObjectStatus[] = [];
    reconciler.onEvent((e) => events.push(e));
    reconciler.onStatus((s) => statuses.push(s));
    reconciler.update(workspace([app('asked')]));
    await reconciler.whenIdle();
    const settled: ImageRepositoryStatus = structuredClone(reconciler.status('default/asked')!);
    assert.deepEqual(scheduler.pendingDelays, [INTERVAL_MS]);
    const eventsBefore = events.length;

    env.bed.faults([{ match: '/v2/team/app/tags/list', delayMs: 20_000 }]);
    const cancel = new AbortController();
    const scanning = new Promise<void>((resolve) => reconciler.onStatus((s) => s.scanning && resolve()));
    const request = reconciler.requestReconcile('default/asked', cancel.signal);
    await scanning;
    assert.deepEqual(scheduler.pendingDelays, [], 'the request took the place of the timer');
    await shimSaw(2);
    statuses.length = 0;
    clock.advance(60_000);
    const started = Date.now();
    cancel.abort();
    await request;
    await reconciler.whenIdle();
    assert.ok(Date.now() - started < 10_000, `cancelled in ${Date.now() - started} ms, not when the registry answered`);

    assert.deepEqual(reconciler.status('default/asked'), settled);
    assert.equal(reconciler.status('default/asked')?.lastHandledReconcileAt, undefined);
    assert.deepEqual(store.object('default/asked')?.status, settled, 'nothing persisted for the aborted run');
    assert.deepEqual(statuses.at(-1), { key: 'default/asked', uri: '', status: settled, scanning: false });
    assert.equal(events.length, eventsBefore, 'no event for the aborted run');
    assert.deepEqual(scheduler.pendingDelays, [INTERVAL_MS - 60_000], 'the object keeps its interval: a minute has passed');

    // The withdrawn request token is gone: the requeue finds nothing requested and nothing due, so no scan.
    scheduler.fireAll();
    await reconciler.whenIdle();
    assert.equal(tagListRequests(env.bed.requests, 'team/app'), 2);
    assert.deepEqual(events.slice(eventsBefore).map((e) => e.message.replace(/ in [^ ]*$/, '')), ['no change in repository configuration since last scan, next scan']);
    assert.equal(reconciler.status('default/asked')?.lastHandledReconcileAt, undefined);

    env.bed.faults([]);
    await reconciler.requestReconcile('default/asked');
    const rescanned = reconciler.status('default/asked')!;
    assert.equal(tagListRequests(env.bed.requests, 'team/app'), 3);
    assert.ok(rescanned.lastHandledReconcileAt);
    assert.match(events.at(-1)!.message, /^tags did not change/);
  });

  it('keeps a shared listing going for an object whose request was not cancelled', async () => {
    const gate = new ListingGate();
    const reconciler = env.sandbox.reconciler(await env.sandbox.store(), { scheduler: new ManualScheduler(), registry: gate.registry });
    gate.watch(reconciler);
    const events: FluxEvent[] = [];
    reconciler.onEvent((e) => events.push(e));
    reconciler.update(workspace([app('quitter'), app('stayer')]));
    await reconciler.whenIdle();
    const quitter = structuredClone(reconciler.status('default/quitter')!);
    const stayer = structuredClone(reconciler.status('default/stayer')!);
    const listingsBefore = reconciler.queue.listingsStarted;
    events.length = 0;

    env.bed.faults([{ match: '/v2/team/app/tags/list', delayMs: 800 }]);
    const cancel = new AbortController();
    gate.hold(2);
    const quit = reconciler.requestReconcile('default/quitter', cancel.signal);
    const stay = reconciler.requestReconcile('default/stayer');
    const requestsBefore = tagListRequests(env.bed.requests, 'team/app');
    await shimSaw(requestsBefore + 1);
    cancel.abort();
    await quit;
    await stay;
    await reconciler.whenIdle();

    assert.equal(reconciler.queue.listingsStarted, listingsBefore + 1, 'one listing, shared and not restarted');
    assert.equal(tagListRequests(env.bed.requests, 'team/app'), requestsBefore + 1);
    assert.deepEqual(reconciler.status('default/quitter'), quitter);
    const after = reconciler.status('default/stayer')!;
    assert.ok(after.lastHandledReconcileAt);
    assert.deepEqual(events.map((e) => e.involvedObject.name), ['stayer']);
  });

  it('withdraws a rescan of every object at once', async () => {
    const reconciler = env.sandbox.reconciler(await env.sandbox.store(), { scheduler: new ManualScheduler() });
    reconciler.update(workspace([app('one'), app('two')]));
    await reconciler.whenIdle();
    const settled = reconciler.statuses().map((s) => structuredClone(s));
    env.bed.faults([{ match: '/v2/team/app/tags/list', delayMs: 3000 }]);
    const cancel = new AbortController();
    const all = reconciler.requestReconcile(undefined, cancel.signal);
    const requestsBefore = tagListRequests(env.bed.requests, 'team/app');
    await shimSaw(requestsBefore + 1);
    cancel.abort();
    await all;
    await reconciler.whenIdle();
    assert.deepEqual(reconciler.statuses(), settled);
  });
});
