// The scan queue: bounded listings per registry host, one listing per image at a time, shared listings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScanQueue } from '../../client/src/reconciler/scan-queue';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const never = new AbortController().signal;
const tick = () => new Promise((r) => setImmediate(r));

test('runs at most concurrencyPerHost listings against one host, and others freely', async () => {
  const queue = new ScanQueue(2);
  let running = 0;
  let peak = 0;
  const gates: ReturnType<typeof deferred<string[]>>[] = [];
  const run = () => {
    running++;
    peak = Math.max(peak, running);
    const gate = deferred<string[]>();
    gates.push(gate);
    return gate.promise.finally(() => running--);
  };
  const results = Array.from({ length: 5 }, (_, i) =>
    queue.list({ host: 'a.example', canonicalImageName: `a.example/img${i}`, shareKey: '', signal: never }, run),
  );
  const other = queue.list({ host: 'b.example', canonicalImageName: 'b.example/img', shareKey: '', signal: never }, run);
  await tick();
  assert.equal(running, 3, 'two on a.example, one on b.example');
  while (gates.length > 0) {
    gates.shift()!.resolve(['t']);
    await tick();
  }
  await Promise.all([...results, other]);
  assert.equal(peak, 3);
  assert.equal(queue.listingsStarted, 6);
});

test('shares one listing between requests for the same image and credentials', async () => {
  const queue = new ScanQueue(4);
  const gate = deferred<string[]>();
  let calls = 0;
  const run = () => {
    calls++;
    return gate.promise;
  };
  const request = (shareKey: string) => queue.list({ host: 'h', canonicalImageName: 'h/img', shareKey, signal: never }, run);
  const a = request('k');
  const b = request('k');
  const c = request('other');
  await tick();
  assert.equal(calls, 1, 'the other credentials wait for the image lock');
  gate.resolve(['1', '2']);
  assert.deepEqual(await a, ['1', '2']);
  assert.deepEqual(await b, ['1', '2']);
  assert.deepEqual(await c, ['1', '2']);
  assert.equal(calls, 2);
});

test('aborts a shared listing only when every waiter has given up', async () => {
  const queue = new ScanQueue(4);
  let listingSignal: AbortSignal | undefined;
  const run = (signal: AbortSignal) => {
    listingSignal = signal;
    return new Promise<string[]>((_, reject) => signal.addEventListener('abort', () => reject(new Error('listing stopped'))));
  };
  const first = new AbortController();
  const second = new AbortController();
  const a = queue.list({ host: 'h', canonicalImageName: 'h/img', shareKey: '', signal: first.signal }, run);
  const b = queue.list({ host: 'h', canonicalImageName: 'h/img', shareKey: '', signal: second.signal }, run);
  await tick();
  first.abort(new Error('first gave up'));
  await assert.rejects(a, /first gave up/);
  assert.equal(listingSignal?.aborted, false);
  second.abort(new Error('second gave up'));
  await assert.rejects(b, /listing stopped/, 'the last waiter gets the listing\'s own error');
  assert.equal(listingSignal?.aborted, true);
});

test('a waiter that gives up while queued for a host slot leaves the queue', async () => {
  const queue = new ScanQueue(1);
  const gate = deferred<string[]>();
  let calls = 0;
  const run = () => {
    calls++;
    return gate.promise;
  };
  const busy = queue.list({ host: 'h', canonicalImageName: 'h/one', shareKey: '', signal: never }, run);
  const waiting = new AbortController();
  const queued = queue.list({ host: 'h', canonicalImageName: 'h/two', shareKey: '', signal: waiting.signal }, run);
  await tick();
  waiting.abort(new Error('gone'));
  await assert.rejects(queued, /gone/);
  gate.resolve([]);
  await busy;
  await tick();
  assert.equal(calls, 1);
});
