// A tag database that cannot be written is never lost in silence: the store reports why (and when it recovers),
// keeps every change in memory and retries with backoff (`tagline scan` exiting 1: scan-cli-database.test.ts). The writes
// fail for real: the file replaced by a directory, a read-only file system and a full one (small tmpfs mounts,
// which need root; without it those tests are skipped and say why).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { TagStore } from '../../client/src/store';
import { fillFileSystem, mountTmpfs, remount, unmount } from '../harness/tmpfs';

const folder = mkdtempSync(join(tmpdir(), 'tagline-write-failure-'));
const mounts: string[] = [];
after(() => {
  for (const mount of mounts) unmount(mount);
  rmSync(folder, { recursive: true, force: true });
});

function tmpfs(size: string): string | { skip: string } {
  const result = mountTmpfs(folder, size);
  if ('skip' in result) return result;
  mounts.push(result.mount);
  return result.mount;
}

/** The next reason the store reports (a string when writing fails, undefined once it works again). */
function nextReport(store: TagStore): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sub = store.onWriteFailure((reason) => { sub.dispose(); resolve(reason); });
  });
}

async function savedTags(file: string, image: string): Promise<string[] | null> {
  const reopened = await TagStore.open({ file });
  try {
    return reopened.imageTags(image);
  } finally {
    await reopened.close();
  }
}

test('the file replaced by a directory: reported, kept in memory, retried until it can be written', async () => {
  const dir = join(folder, 'replaced');
  const file = join(dir, 'tags.sqlite');
  const store = await TagStore.open({ file, debounceMs: 10, retryBaseMs: 50 });
  store.setImageTags('x/before', ['1']);
  await store.flush();
  rmSync(file);
  mkdirSync(file);

  const failing = nextReport(store);
  store.setImageTags('x/after', ['2']);
  assert.match(await failing ?? '', /^EISDIR: illegal operation on a directory/);
  assert.match(store.lastWriteError ?? '', new RegExp(`^cannot write the tag database ${file}: EISDIR`));
  assert.deepEqual(store.imageTags('x/after'), ['2'], 'kept in memory');

  const recovered = nextReport(store);
  rmSync(file, { recursive: true });
  assert.equal(await recovered, undefined, 'a retry wrote the file');
  assert.equal(store.lastWriteError, undefined);
  await store.close();
  assert.deepEqual(await savedTags(file, 'x/after'), ['2']);
});

test('retries with doubling waits while the write keeps failing, and reports the reason once', async () => {
  const dir = join(folder, 'backoff');
  const file = join(dir, 'tags.sqlite');
  mkdirSync(file, { recursive: true });
  const store = await TagStore.open({ file: join(dir, 'other.sqlite'), debounceMs: 10, retryBaseMs: 100 });
  await store.close();
  // A store whose file is a directory from the start fails at open; make it one after opening instead.
  rmSync(file, { recursive: true });
  const failing = await TagStore.open({ file, debounceMs: 10, retryBaseMs: 100 });
  mkdirSync(file);
  const reports: (string | undefined)[] = [];
  failing.onWriteFailure((reason) => reports.push(reason));
  const attempts: number[] = [];
  const started = performance.now();
  // Each attempt reads the directory first; count attempts by watching lastWriteError being set anew.
  const original = failing.flush.bind(failing);
  failing.flush = () => { attempts.push(performance.now() - started); return original(); };
  failing.setImageTags('x/y', ['1']);
  while (attempts.length < 4) await new Promise((r) => setImmediate(r));
  const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
  // Lower bounds only: a busy machine makes every wait longer, never shorter.
  gaps.forEach((gap, i) => assert.ok(gap >= 100 * 2 ** i - 1, `waits ${gaps.map(Math.round).join(', ')} ms: want at least 100, 200, 400 ms`));
  assert.equal(reports.length, 1, 'the same reason is reported once');
  failing.flush = original;
  rmSync(file, { recursive: true });
  await failing.close();
  assert.deepEqual(await savedTags(file, 'x/y'), ['1']);
});

test('a read-only file system: EROFS reported, then saved once it is writable again', async (t) => {
  const mount = tmpfs('1m');
  if (typeof mount !== 'string') { t.skip(mount.skip); return; }
  const file = join(mount, 'tags.sqlite');
  const store = await TagStore.open({ file, debounceMs: 10, retryBaseMs: 50 });
  store.setImageTags('x/before', ['1']);
  await store.flush();
  remount(mount, 'ro');

  const failing = nextReport(store);
  store.setImageTags('x/after', ['2']);
  assert.match(await failing ?? '', /^EROFS: read-only file system/);
  const recovered = nextReport(store);
  remount(mount, 'rw');
  assert.equal(await recovered, undefined);
  await store.close();
  assert.deepEqual(await savedTags(file, 'x/after'), ['2']);
});

test('a full disk: ENOSPC reported, nothing half-written left behind, saved once there is room', async (t) => {
  const mount = tmpfs('256k');
  if (typeof mount !== 'string') { t.skip(mount.skip); return; }
  const file = join(mount, 'tags.sqlite');
  const store = await TagStore.open({ file, debounceMs: 10, retryBaseMs: 50 });
  store.setImageTags('x/before', ['1']);
  await store.flush();
  const filler = fillFileSystem(mount);

  const failing = nextReport(store);
  store.setImageTags('x/after', Array.from({ length: 2000 }, (_, i) => `tag-${i}`));
  assert.match(await failing ?? '', /^ENOSPC: no space left on device/);
  assert.deepEqual(await savedTags(file, 'x/before'), ['1'], 'the old file is intact');
  const recovered = nextReport(store);
  rmSync(filler);
  assert.equal(await recovered, undefined);
  await store.close();
  assert.equal((await savedTags(file, 'x/after'))?.length, 2000);
  assert.deepEqual(readdirSync(mount), ['tags.sqlite'], 'no temporary or lock file left');
});

test('close() rejects when the last write fails', async () => {
  const dir = join(folder, 'close');
  const file = join(dir, 'tags.sqlite');
  const store = await TagStore.open({ file, debounceMs: 10_000 });
  mkdirSync(file);
  store.setImageTags('x/y', ['1']);
  await assert.rejects(store.close(), new RegExp(`^Error: cannot write the tag database ${file}: EISDIR`));
  assert.ok(existsSync(file));
});
