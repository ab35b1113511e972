// The tag database's lock file and its timestamps: a lock left by a dead process or too old is broken, a live
// one is waited for and then given up on with a clear error, and a store's next stamp orders after every row it
// has seen, in either table, whether read at open or merged from another writer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import initSqlJs from 'sql.js';
import { TagStore } from '../../client/src/store';
import { withFileLock } from '../../client/src/store/lock';

const folder = mkdtempSync(join(tmpdir(), 'tagline-lock-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let n = 0;
const dbFile = () => {
  const dir = join(folder, `db-${++n}`);
  mkdirSync(dir);
  return join(dir, 'tags.sqlite');
};
const status = { observedGeneration: 1, conditions: [] };

/** The pid of a process that has exited (and so holds no lock). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

test('breaks a lock left by a process that is gone', async () => {
  const file = dbFile();
  writeFileSync(`${file}.lock`, `${deadPid()}\n`);
  const store = await TagStore.open({ file, debounceMs: 10_000 });
  store.setImageTags('x/y', ['a']);
  await store.flush();
  assert.ok(!existsSync(`${file}.lock`));
  await store.close();
  const reopened = await TagStore.open({ file });
  assert.deepEqual(reopened.imageTags('x/y'), ['a']);
  await reopened.close();
});

test('breaks a lock older than any write could take, even when its process lives', async () => {
  const lock = join(folder, 'old.lock');
  writeFileSync(lock, `${process.pid}\n`);
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  let ran = false;
  await withFileLock(lock, async () => { ran = true; assert.equal(readFileSync(lock, 'utf8'), `${process.pid}\n`); }, { staleMs: 30_000, giveUpMs: 200 });
  assert.ok(ran);
  assert.ok(!existsSync(lock));
});

test('waits for a live lock, then gives up with an error naming it and leaves it alone', async () => {
  const lock = join(folder, 'live.lock');
  writeFileSync(lock, `${process.pid}\n`);
  let ran = false;
  const started = Date.now();
  await assert.rejects(withFileLock(lock, async () => { ran = true; }, { staleMs: 30_000, giveUpMs: 300 }), {
    message: `database lock ${lock} is held by another process`,
  });
  assert.ok(Date.now() - started >= 300, 'waited the whole give-up time');
  assert.equal(ran, false);
  assert.equal(readFileSync(lock, 'utf8'), `${process.pid}\n`);
  rmSync(lock);
});

test('takes a live lock as soon as its holder lets go', async () => {
  const lock = join(folder, 'released.lock');
  writeFileSync(lock, `${process.pid}\n`);
  setTimeout(() => rmSync(lock), 100);
  let ran = false;
  await withFileLock(lock, async () => { ran = true; }, { staleMs: 30_000, giveUpMs: 10_000 });
  assert.ok(ran);
});

test('stamps after the newest row of either table read at open', async () => {
  for (const table of ['image_tags', 'object_results'] as const) {
    const file = dbFile();
    const writer = await TagStore.open({ file, clock: () => 1000 });
    writer.setImageTags('img', ['a']);
    writer.putObject({ key: 'ns/o', specHash: 'h', generation: 1, status, tags: ['a'] });
    await writer.close();
    // Another machine's clock ran ahead: one table holds a row from the future.
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(file));
    db.run(`UPDATE ${table} SET updated_at = 50000`);
    writeFileSync(file, db.export());
    db.close();

    const store = await TagStore.open({ file, clock: () => 2000 });
    store.putObject({ key: 'ns/next', specHash: 'h', generation: 1, status, tags: null });
    assert.equal(store.object('ns/next')?.updatedAt, 50001, `after the newest ${table} row`);
    await store.close();
  }
});

test('stamps after the newest row of either table merged from another writer', async () => {
  for (const table of ['image_tags', 'object_results'] as const) {
    const file = dbFile();
    const ahead = await TagStore.open({ file, debounceMs: 10_000, clock: () => 50_000 });
    const behind = await TagStore.open({ file, debounceMs: 10_000, clock: () => 2000 });
    if (table === 'image_tags') ahead.setImageTags('img', ['a']);
    else ahead.putObject({ key: 'ns/o', specHash: 'h', generation: 1, status, tags: ['a'] });
    await ahead.flush();
    behind.setImageTags('other', ['b']);
    await behind.flush();
    behind.putObject({ key: 'ns/next', specHash: 'h', generation: 1, status, tags: null });
    assert.equal(behind.object('ns/next')?.updatedAt, 50_001, `after the merged ${table} row`);
    await Promise.all([ahead.close(), behind.close()]);
  }
});
