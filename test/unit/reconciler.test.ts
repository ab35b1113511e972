// The reconciler's scheduling, in process: requeue after success, backoff after failures, nothing for Stalled or
// suspended objects, the work queue's dirty/processing rules and the withdrawal of a cancelled rescan. The
// registry is the `ReconcilerOptions.registry` seam, a listing the test answers by hand; the wire itself is
// covered against Debian's docker-registry in test/registry/reconciler-*.test.ts.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { getCondition } from '../../common/flux/conditions';
import type { ImageReference } from '../../common/flux/reference';
import type { FluxEvent, ImageRepositoryStatus } from '../../common/model';
import type { ObjectStatus } from '../../common/protocol';
import { Reconciler, type RegistryApi, type ReconcilerOptions } from '../../client/src/reconciler';
import { RegistryError, type ScanOptions } from '../../client/src/registry';
import { TagStore } from '../../client/src/store';
import { imageRepository, ManualClock, ManualScheduler, workspace } from '../registry/reconciler-fixtures';

const INTERVAL_MS = 5 * 60_000;

interface Listing {
  reference: ImageReference;
  signal: AbortSignal;
  answer(tags: string[]): void;
  fail(message: string): void;
}

/** A registry whose every listing waits for the test to answer it (or for its signal to abort it). */
class HandListedRegistry implements RegistryApi {
  readonly listings: Listing[] = [];
  private waiting: ((l: Listing) => void)[] = [];
  /** When set, listings are answered at once with these tags (or this error). */
  autoAnswer: string[] | Error | undefined;

  async buildScanOptions(): Promise<ScanOptions> {
    return {} as ScanOptions;
  }

  listTags(reference: ImageReference, _options: ScanOptions, signal: AbortSignal): Promise<string[]> {
    return new Promise<string[]>((resolve, reject) => {
      const listing: Listing = { reference, signal, answer: resolve, fail: (message) => reject(new RegistryError(message)) };
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      this.listings.push(listing);
      if (this.autoAnswer instanceof Error) listing.fail(this.autoAnswer.message);
      else if (this.autoAnswer) listing.answer(this.autoAnswer);
      for (const w of this.waiting.splice(0)) w(listing);
    });
  }

  /** Resolves with the next listing that starts (or the one already waiting at `index`). */
  listing(index: number): Promise<Listing> {
    if (this.listings[index]) return Promise.resolve(this.listings[index]);
    return new Promise((resolve) => {
      const check = () => {
        if (this.listings[index]) resolve(this.listings[index]);
        else this.waiting.push(check);
      };
      this.waiting.push(check);
    });
  }
}

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

async function setup(options: Partial<ReconcilerOptions> = {}) {
  const registry = new HandListedRegistry();
  const scheduler = new ManualScheduler();
  const clock = new ManualClock();
  const store = await TagStore.open();
  const reconciler = new Reconciler({ store, credentials: { env: {}, allowProcesses: false }, registry, scheduler, clock: clock.now, ...options });
  disposers.push(async () => {
    await reconciler.dispose();
    await store.close();
  });
  const events: FluxEvent[] = [];
  const statuses: ObjectStatus[] = [];
  reconciler.onEvent((e) => events.push(e));
  reconciler.onStatus((s) => statuses.push(s));
  return { registry, scheduler, clock, store, reconciler, events, statuses };
}

const app = (name = 'app', spec: Partial<Parameters<typeof imageRepository>[1]> = {}) =>
  imageRepository(name, { image: 'registry.example/team/app', ...spec });

describe('reconciler scheduling (in process)', () => {
  it('requeues a successful scan after the interval, as RequeueAfter', async () => {
    const { registry, scheduler, reconciler } = await setup();
    registry.autoAnswer = ['1.0.0', '2.0.0'];
    reconciler.update(workspace([app()]));
    await reconciler.whenIdle();
    assert.deepEqual(scheduler.delays, [INTERVAL_MS]);
    const ready = getCondition(reconciler.status('default/app')!, 'Ready')!;
    assert.equal(ready.reason, 'Succeeded');
    assert.equal(registry.listings[0].reference.canonicalImageName, 'registry.example/team/app');
  });

  it('backs off 750 ms, 1.5 s, 3 s while listings fail, then returns to the interval', async () => {
    const { registry, scheduler, reconciler } = await setup();
    registry.autoAnswer = new Error('GET https://registry.example/v2/: connection refused');
    reconciler.update(workspace([app()]));
    await reconciler.whenIdle();
    for (let i = 0; i < 2; i++) {
      scheduler.fireAll();
      await reconciler.whenIdle();
    }
    assert.deepEqual(scheduler.delays, [750, 1500, 3000]);
    const ready = getCondition(reconciler.status('default/app')!, 'Ready')!;
    assert.equal(ready.reason, 'ReadOperationFailed');
    assert.equal(ready.message, 'scan failed: GET https://registry.example/v2/: connection refused');
    assert.equal(getCondition(reconciler.status('default/app')!, 'Reconciling')?.reason, 'ProgressingWithRetry');
    registry.autoAnswer = ['1.0.0'];
    scheduler.fireAll();
    await reconciler.whenIdle();
    assert.deepEqual(scheduler.delays, [750, 1500, 3000, INTERVAL_MS]);
  });

  it('caps the interval with maxIntervalMs, skips interval 0s and floors tiny intervals at a second', async () => {
    const { registry, scheduler, reconciler } = await setup({ maxIntervalMs: 60_000 });
    registry.autoAnswer = ['1.0.0'];
    reconciler.update(workspace([app('capped', { interval: '24h' }), app('zero', { interval: '0s' }), app('tiny', { interval: '10ms' })]));
    await reconciler.whenIdle();
    assert.deepEqual([...scheduler.pendingDelays].sort((a, b) => a - b), [1000, 60_000]);
  });

  it('does not retry a Stalled or a suspended object, and lists nothing for them', async () => {
    const { registry, scheduler, reconciler } = await setup();
    reconciler.update(workspace([imageRepository('stalled', { image: 'Alpine' }), app('paused', { suspend: true })]));
    await reconciler.whenIdle();
    assert.deepEqual(scheduler.pendingDelays, []);
    assert.equal(registry.listings.length, 0);
    assert.equal(getCondition(reconciler.status('default/stalled')!, 'Stalled')?.reason, 'ImageURLInvalid');
  });

  it('reconciles once more after the running reconcile when asked meanwhile (dirty), never twice at once', async () => {
    const { registry, reconciler } = await setup();
    reconciler.update(workspace([app()]));
    const first = await registry.listing(0);
    const request = reconciler.requestReconcile('default/app');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(registry.listings.length, 1, 'no second listing while the first runs');
    first.answer(['1.0.0']);
    const second = await registry.listing(1);
    assert.equal(first.signal.aborted, false);
    second.answer(['1.0.0', '1.1.0']);
    await request;
    assert.equal(reconciler.status('default/app')?.lastScanResult?.tagCount, 2);
  });

  it('aborts the running listing when the spec changes and drops its result (a new generation)', async () => {
    const { registry, reconciler, events } = await setup();
    reconciler.update(workspace([app()]));
    const first = await registry.listing(0);
    reconciler.update(workspace([app('app', { exclusionList: ['^1'] })]));
    assert.equal(first.signal.aborted, true);
    const second = await registry.listing(1);
    second.answer(['1.0.0', '2.0.0']);
    await reconciler.whenIdle();
    assert.deepEqual(reconciler.status('default/app')?.lastScanResult?.latestTags, ['2.0.0']);
    assert.deepEqual(events.map((e) => e.reason), ['Succeeded']);
  });

  it('aborts the listing of a removed object, resolves its rescan request and reports it removed', async () => {
    const { registry, reconciler } = await setup();
    const removed: string[] = [];
    reconciler.onRemoved((key) => removed.push(key));
    reconciler.update(workspace([app()]));
    const listing = await registry.listing(0);
    const request = reconciler.requestReconcile('default/app');
    reconciler.update(workspace([]));
    await request;
    await reconciler.whenIdle();
    assert.equal(listing.signal.aborted, true);
    assert.deepEqual(removed, ['default/app']);
    assert.equal(reconciler.status('default/app'), undefined);
  });

  it('withdraws a cancelled rescan: the listing is aborted, status and requeue timer are put back, no event', async () => {
    const { registry, scheduler, reconciler, events, statuses, clock } = await setup();
    registry.autoAnswer = ['1.0.0'];
    reconciler.update(workspace([app()]));
    await reconciler.whenIdle();
    const settled: ImageRepositoryStatus = structuredClone(reconciler.status('default/app')!);
    assert.deepEqual(scheduler.pendingDelays, [INTERVAL_MS]);
    const eventsBefore = events.length;
    registry.autoAnswer = undefined;
    clock.advance(60_000);

    const cancel = new AbortController();
    const request = reconciler.requestReconcile('default/app', cancel.signal);
    const listing = await registry.listing(1);
    assert.deepEqual(scheduler.pendingDelays, [], 'the request took the place of the timer');
    statuses.length = 0;
    cancel.abort();
    await request;
    await reconciler.whenIdle();

    assert.equal(listing.signal.aborted, true);
    assert.deepEqual(reconciler.status('default/app'), settled);
    assert.deepEqual(statuses.at(-1), { key: 'default/app', uri: '', status: settled, scanning: false });
    assert.equal(events.length, eventsBefore);
    assert.deepEqual(scheduler.pendingDelays, [INTERVAL_MS - 60_000], 'the object keeps its interval');
  });

  it('drops a dirty mark that only a withdrawn request set, so no extra reconcile runs', async () => {
    const { registry, reconciler, events } = await setup();
    reconciler.update(workspace([app()]));
    const first = await registry.listing(0);
    const cancel = new AbortController();
    const request = reconciler.requestReconcile('default/app', cancel.signal);
    cancel.abort();
    await request;
    first.answer(['1.0.0']);
    await reconciler.whenIdle();
    assert.equal(first.signal.aborted, false, 'the first reconcile was not only for the request');
    assert.deepEqual(events.map((e) => `${e.type} ${e.reason}`), ['Normal Succeeded'], 'one reconcile, one event');
  });
});
