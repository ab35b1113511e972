// The sql.js tag database: persistence, migrations, recovery from a damaged file, and two processes sharing it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import initSqlJs from 'sql.js';
import { TagStore } from '../../client/src/store';
import type { ImagePolicyStatus, ImageRepositoryStatus } from '../../common/model';

const folder = mkdtempSync(join(tmpdir(), 'tagline-store-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let n = 0;
const dbFile = () => join(folder, `db-${++n}`, 'tags.sqlite');
const status = (revision: string): ImageRepositoryStatus => ({
  observedGeneration: 1,
  conditions: [],
  lastScanResult: { revision, tagCount: 1, scanTime: '2026-01-01T00:00:00Z' },
});

test('keeps raw tags per image and results per object across a reopen', async () => {
  const file = dbFile();
  const store = await TagStore.open({ file });
  store.setImageTags('ghcr.io/a/b', ['1.0.0', '1.0.0.sig', '2.0.0']);
  store.putObject({ key: 'default/one', specHash: 'h1', generation: 1, status: status('1'), tags: ['2.0.0', '1.0.0'] });
  store.putObject({ key: 'other/two', specHash: 'h2', generation: 4, status: status('2'), tags: ['2.0.0'] });
  await store.close();

  // How fast a reopen is, is measured by `npm run bench:scan`, not bounded here.
  const reopened = await TagStore.open({ file });
  assert.deepEqual(reopened.imageTags('ghcr.io/a/b'), ['1.0.0', '1.0.0.sig', '2.0.0']);
  assert.equal(reopened.imageTags('ghcr.io/a/none'), null);
  assert.deepEqual(reopened.object('default/one')?.tags, ['2.0.0', '1.0.0']);
  assert.deepEqual(reopened.object('other/two')?.tags, ['2.0.0'], 'objects sharing an image keep their own exclusion results');
  assert.equal(reopened.object('other/two')?.generation, 4);
  assert.deepEqual(reopened.objects().map((o) => o.key), ['default/one', 'other/two']);
  await reopened.close();
});

const policyStatus = (tag: string): ImagePolicyStatus => ({
  observedGeneration: 2,
  conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: `Latest image tag for x/y resolved to ${tag}`, lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 2 }],
  latestRef: { name: 'x/y', tag, digest: 'sha256:' + 'a'.repeat(64) },
  observedPreviousRef: { name: 'x/y', tag: '1.0.0' },
});

test('keeps ImagePolicy results apart from ImageRepository results of the same key, across a reopen', async () => {
  const file = dbFile();
  const store = await TagStore.open({ file });
  store.putObject({ key: 'apps/app', specHash: 'r', generation: 1, status: status('1'), tags: ['2.0.0'] });
  store.putPolicy({ key: 'apps/app', specHash: 'p', generation: 2, status: policyStatus('2.0.0') });
  await store.close();
  const reopened = await TagStore.open({ file });
  assert.deepEqual(reopened.policy('apps/app'), { key: 'apps/app', specHash: 'p', generation: 2, status: policyStatus('2.0.0'), updatedAt: reopened.policy('apps/app')!.updatedAt });
  assert.equal(reopened.object('apps/app')?.status.lastScanResult?.revision, '1');
  assert.equal(reopened.policy('apps/none'), undefined);
  reopened.clear();
  assert.equal(reopened.policy('apps/app'), undefined, 'clearing the database forgets policy results too');
  await reopened.close();
});

test('upgrades a version 1 file in place, keeping its tags and statuses', async () => {
  const file = dbFile();
  const SQL = await initSqlJs();
  const v1 = new SQL.Database();
  v1.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version (version) VALUES (1);
    CREATE TABLE image_tags (canonical_name TEXT PRIMARY KEY, tags TEXT NOT NULL, updated_at INTEGER NOT NULL);
    CREATE TABLE object_results (key TEXT PRIMARY KEY, spec_hash TEXT NOT NULL, generation INTEGER NOT NULL, status TEXT NOT NULL, tags TEXT, updated_at INTEGER NOT NULL);
    CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
  v1.run('INSERT INTO image_tags VALUES (?, ?, ?)', ['x/y', '["1.0.0"]', 5]);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, v1.export());
  v1.close();
  const store = await TagStore.open({ file });
  assert.deepEqual(store.imageTags('x/y'), ['1.0.0']);
  store.putPolicy({ key: 'a/b', specHash: 'p', generation: 1, status: policyStatus('1.0.0') });
  await store.close();
  const db = new SQL.Database(readFileSync(file));
  assert.deepEqual(db.exec('SELECT version FROM schema_version')[0].values, [[2]]);
  assert.deepEqual(db.exec('SELECT key FROM policy_results')[0].values, [['a/b']]);
  db.close();
});

test('writes through a temporary file and rename, leaving no temporary or lock file behind', async () => {
  const file = dbFile();
  const store = await TagStore.open({ file, debounceMs: 10_000 });
  store.setImageTags('x/y', ['a']);
  assert.ok(!existsSync(file), 'debounced: nothing written yet');
  await store.flush();
  assert.ok(existsSync(file));
  assert.deepEqual(readdirSync(join(file, '..')), ['tags.sqlite']);
  await store.close();
});

test('creates the schema_version table and migrates a new file to the current version', async () => {
  const file = dbFile();
  const store = await TagStore.open({ file });
  store.setImageTags('x/y', ['a']);
  await store.close();
  const SQL = await initSqlJs();
  const db = new SQL.Database(readFileSync(file));
  assert.deepEqual(db.exec('SELECT version FROM schema_version')[0].values, [[2]]);
  db.close();
});

test('reads but never overwrites a file written by a newer schema', async () => {
  const file = dbFile();
  const store = await TagStore.open({ file });
  store.setImageTags('x/y', ['a']);
  await store.close();
  const SQL = await initSqlJs();
  const db = new SQL.Database(readFileSync(file));
  db.run('UPDATE schema_version SET version = 99');
  writeFileSync(file, db.export());
  db.close();
  const before = readFileSync(file);
  const newer = await TagStore.open({ file });
  assert.match(newer.readOnlyReason ?? '', /newer Tagline/);
  newer.setImageTags('x/z', ['b']);
  await newer.close();
  assert.ok(readFileSync(file).equals(before));
});

for (const [name, damage] of [
  ['garbage', (bytes: Buffer) => Buffer.from('this is not a database at all, not even close'.repeat(100))],
  ['truncated', (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2))],
  ['zeroed pages', (bytes: Buffer) => Buffer.concat([bytes.subarray(0, 100), Buffer.alloc(bytes.length - 100)])],
] as const) {
  test(`moves a ${name} file aside and starts again empty`, async () => {
    const file = dbFile();
    const store = await TagStore.open({ file });
    for (let i = 0; i < 200; i++) store.setImageTags(`ghcr.io/a/${i}`, Array.from({ length: 50 }, (_, j) => `v${j}`));
    await store.close();
    writeFileSync(file, damage(readFileSync(file)));

    const recovered = await TagStore.open({ file });
    assert.match(recovered.recoveredFrom ?? '', /tags\.sqlite\.corrupt-\d{4}-\d\d-\d\dT/);
    assert.ok(existsSync(recovered.recoveredFrom!));
    assert.deepEqual(recovered.objects(), []);
    recovered.setImageTags('x/y', ['a']);
    await recovered.close();
    const again = await TagStore.open({ file });
    assert.equal(again.recoveredFrom, undefined);
    assert.deepEqual(again.imageTags('x/y'), ['a']);
    await again.close();
  });
}

test('treats an empty file as a new database', async () => {
  const file = dbFile();
  const store = await TagStore.open({ file });
  await store.close();
  writeFileSync(file, '');
  const reopened = await TagStore.open({ file });
  assert.equal(reopened.recoveredFrom, undefined);
  await reopened.close();
});

test('merges another writer\'s rows instead of overwriting them, newest row winning whoever writes last', async () => {
  // Each store stamps rows with its own clock: which row is newer is set by the clocks, not by who flushes last.
  const file = dbFile();
  let aNow = 0;
  let bNow = 0;
  const a = await TagStore.open({ file, debounceMs: 10_000, clock: () => aNow });
  const b = await TagStore.open({ file, debounceMs: 10_000, clock: () => bNow });
  aNow = 1000;
  a.putObject({ key: 'ns/b-newer', specHash: 'h', generation: 1, status: status('a-older'), tags: ['1'] });
  a.setImageTags('img/b-newer', ['a-older']);
  aNow = 3000;
  a.putObject({ key: 'ns/a-newer', specHash: 'h', generation: 1, status: status('a-newer'), tags: ['1'] });
  a.setImageTags('img/a-newer', ['a-newer']);
  a.putObject({ key: 'ns/a', specHash: 'h', generation: 1, status: status('a1'), tags: ['1'] });
  bNow = 2000;
  b.putObject({ key: 'ns/a-newer', specHash: 'h', generation: 2, status: status('b-older'), tags: ['2'] });
  b.setImageTags('img/a-newer', ['b-older']);
  b.putObject({ key: 'ns/b-newer', specHash: 'h', generation: 2, status: status('b-newer'), tags: ['2'] });
  b.setImageTags('img/b-newer', ['b-newer']);
  b.putObject({ key: 'ns/b', specHash: 'h', generation: 1, status: status('b1'), tags: ['1'] });

  await a.flush();
  await b.flush(); // b writes last and holds the older row of ns/a-newer: a's row must survive
  assert.equal(b.object('ns/a-newer')?.status.lastScanResult?.revision, 'a-newer', 'b took the newer row in memory');
  await a.flush(); // a writes last again and holds the older row of ns/b-newer: b's row must survive
  await Promise.all([a.close(), b.close()]);

  const merged = await TagStore.open({ file });
  assert.deepEqual(merged.objects().map((o) => o.key), ['ns/a', 'ns/a-newer', 'ns/b', 'ns/b-newer']);
  assert.equal(merged.object('ns/a-newer')?.status.lastScanResult?.revision, 'a-newer');
  assert.equal(merged.object('ns/b-newer')?.status.lastScanResult?.revision, 'b-newer');
  assert.deepEqual(merged.imageTags('img/a-newer'), ['a-newer']);
  assert.deepEqual(merged.imageTags('img/b-newer'), ['b-newer']);
  await merged.close();
});

test('merges another writer\'s ImagePolicy results, the newer row winning', async () => {
  const file = dbFile();
  let aNow = 0;
  let bNow = 0;
  const a = await TagStore.open({ file, debounceMs: 10_000, clock: () => aNow });
  const b = await TagStore.open({ file, debounceMs: 10_000, clock: () => bNow });
  aNow = 3000;
  a.putPolicy({ key: 'ns/p', specHash: 'h', generation: 1, status: policyStatus('3.0.0') });
  a.putPolicy({ key: 'ns/only-a', specHash: 'h', generation: 1, status: policyStatus('1.0.0') });
  bNow = 2000;
  b.putPolicy({ key: 'ns/p', specHash: 'h', generation: 1, status: policyStatus('2.0.0') });
  await a.flush();
  await b.flush();
  await Promise.all([a.close(), b.close()]);
  const merged = await TagStore.open({ file });
  assert.equal(merged.policy('ns/p')?.status.latestRef?.tag, '3.0.0');
  assert.equal(merged.policy('ns/only-a')?.status.latestRef?.tag, '1.0.0');
  await merged.close();
});

test('a clear in one process removes older rows everywhere at the next write', async () => {
  const file = dbFile();
  const a = await TagStore.open({ file, debounceMs: 10_000 });
  const b = await TagStore.open({ file, debounceMs: 10_000 });
  a.putObject({ key: 'ns/a', specHash: 'h', generation: 1, status: status('a'), tags: ['1'] });
  await a.flush();
  b.clear();
  await b.flush();
  await a.flush();
  await Promise.all([a.close(), b.close()]);
  const after = await TagStore.open({ file });
  assert.deepEqual(after.objects(), []);
  await after.close();
});

test('two processes writing one file at the same time lose nothing', async () => {
  const file = dbFile();
  const storeModule = resolve(__dirname, '../../client/src/store/index.ts');
  const writer = (name: string) => `
    const { TagStore } = require(${JSON.stringify(storeModule)});
    (async () => {
      const store = await TagStore.open({ file: ${JSON.stringify(file)}, debounceMs: 1 });
      for (let i = 0; i < 40; i++) {
        store.putObject({ key: '${name}/' + i, specHash: 'h', generation: 1, status: { observedGeneration: 1, conditions: [] }, tags: [String(i)] });
        store.setImageTags('${name}/image-' + i, ['t' + i]);
        if (i % 4 === 0) await store.flush();
      }
      await store.close();
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const runWriter = (name: string) =>
    new Promise<number>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', writer(name)], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('exit', (code) => done(code ?? 1));
    });
  const codes = await Promise.all([runWriter('first'), runWriter('second'), runWriter('third')]);
  assert.deepEqual(codes, [0, 0, 0]);
  const merged = await TagStore.open({ file });
  assert.equal(merged.objects().length, 120);
  for (const name of ['first', 'second', 'third']) {
    for (let i = 0; i < 40; i++) assert.deepEqual(merged.imageTags(`${name}/image-${i}`), [`t${i}`]);
  }
  await merged.close();
  assert.deepEqual(readdirSync(join(file, '..')), ['tags.sqlite']);
  assert.ok(statSync(file).size > 0);
});

test('names the database file when it cannot be opened', async () => {
  const parentIsAFile = join(folder, 'a-file');
  writeFileSync(parentIsAFile, 'x');
  await assert.rejects(TagStore.open({ file: join(parentIsAFile, 'tags.sqlite') }), (err: Error) => {
    assert.match(err.message, /^cannot open the tag database .*a-file\/tags\.sqlite: /);
    return true;
  });
});

test('keeps working in memory when a write fails, and says which file', async () => {
  const file = dbFile();
  const store = await TagStore.open({ file, debounceMs: 10_000 });
  store.setImageTags('x/y', ['a']);
  await store.flush();
  rmSync(join(file, '..'), { recursive: true });
  writeFileSync(join(file, '..'), 'now a file');
  store.setImageTags('x/z', ['b']);
  await assert.rejects(store.flush(), /^Error: cannot write the tag database .*tags\.sqlite: /);
  assert.match(store.lastWriteError ?? '', /^cannot write the tag database/);
  assert.deepEqual(store.imageTags('x/z'), ['b']);
  rmSync(join(file, '..'));
});

test('accepts an explicit WebAssembly path and reports a missing one clearly', async () => {
  const wasm = resolve(__dirname, '../../node_modules/sql.js/dist/sql-wasm.wasm');
  const store = await TagStore.open({ wasmPath: wasm });
  store.setImageTags('x/y', ['a']);
  assert.deepEqual(store.imageTags('x/y'), ['a']);
  await store.close();
  await assert.rejects(TagStore.open({ wasmPath: join(folder, 'missing.wasm') }), /sql\.js WebAssembly not found/);
});
