// The test bed itself: real registries that answer, fast seeding, and no process or folder left behind when the
// process that started them fails or is killed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistryBed } from '../harness/registry-bed';

function running(pid: number): boolean {
  try {
    // A zombie (reparented to an init that does not reap) is dead for our purposes.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** SIGTERM is asynchronous: give the children up to 15 s to go (they go in milliseconds; CI machines can be loaded). */
async function alive(pid: number): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (running(pid)) {
    if (Date.now() > deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** Runs a child that starts a bed, prints its descendants' pids and folders, then ends as `how` says. */
async function childBed(how: 'throw' | 'sigterm' | 'sigkill'): Promise<{ pids: number[]; folders: string[]; code: number | null }> {
  const harness = join(__dirname, '../harness/registry-bed');
  const script = `
    const { startRegistryBed } = require(${JSON.stringify(harness)});
    (async () => {
      const bed = await startRegistryBed({ variant: 'proxy', shim: true, seed: { 'a/b': ['1'] } });
      // /proc rather than pgrep/ps: procps is not on every minimal Debian image.
      const fs = require('node:fs');
      const table = fs.readdirSync('/proc').filter((entry) => /^\\d+$/.test(entry)).map((pid) => {
        try {
          const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
          return { pid: Number(pid), ppid: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]), cmd: fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8') };
        } catch { return undefined; }
      }).filter(Boolean);
      const descendants = (pid) => table.filter((p) => p.ppid === pid).flatMap((p) => [p, ...descendants(p.pid)]);
      const pids = descendants(process.pid).filter((p) => /^(docker-registry|tinyproxy)\\0/.test(p.cmd)).map((p) => p.pid);
      console.log(JSON.stringify({ pids, folders: [bed.storage] }));
      if (${JSON.stringify(how)} === 'throw') throw new Error('test failed on purpose');
      setInterval(() => {}, 1000);
    })();`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const first = new Promise<{ pids: number[]; folders: string[] }>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line));
    });
  });
  const info = await first;
  if (how === 'sigterm') child.kill('SIGTERM');
  if (how === 'sigkill') child.kill('SIGKILL');
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { ...info, code };
}

describe('the registry test bed', () => {
  it('starts every variant on loopback and answers /v2/', async () => {
    for (const variant of ['plain', 'basic', 'token', 'tls', 'mtls', 'proxy'] as const) {
      const bed = await startRegistryBed({ variant });
      try {
        assert.match(bed.host, /^127\.0\.0\.1:\d+$/);
        if (variant === 'basic' || variant === 'token') assert.ok(bed.credentials?.password);
        if (variant === 'tls' || variant === 'mtls') assert.match(bed.ca!, /BEGIN CERTIFICATE/);
        if (variant === 'proxy') assert.match(bed.proxy!.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      } finally {
        await bed.stop();
      }
      assert.ok(!existsSync(bed.storage));
    }
  });

  it('seeds 10,000 tags in seconds, readable through the registry', async () => {
    const bed = await startRegistryBed({ variant: 'plain' });
    try {
      const started = Date.now();
      await bed.seed('big/app', Array.from({ length: 10_000 }, (_, i) => `v${i}`));
      // Generous: seeding is harness speed, and a busy machine stretches it.
      assert.ok(Date.now() - started < 60_000, `seeding took ${Date.now() - started} ms`);
      const list = await (await fetch(`${bed.url}/v2/big/app/tags/list`)).json() as { tags: string[] };
      assert.equal(list.tags.length, 10_000);
      const manifest = await fetch(`${bed.url}/v2/big/app/manifests/v42`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
      assert.equal(manifest.status, 200);
      await bed.deleteTags('big/app', ['v42']);
      const after = await (await fetch(`${bed.url}/v2/big/app/tags/list`)).json() as { tags: string[] };
      assert.equal(after.tags.length, 9_999);
    } finally {
      await bed.stop();
    }
  });

  it('refuses to seed names that are not OCI tags', async () => {
    const bed = await startRegistryBed({ variant: 'plain' });
    try {
      await assert.rejects(bed.seed('a/b', ['../escape']), /not a valid OCI tag/);
    } finally {
      await bed.stop();
    }
  });

  it('leaves no registry, tinyproxy or storage behind when a test throws', async () => {
    const { pids, folders, code } = await childBed('throw');
    assert.notEqual(code, 0);
    assert.ok(pids.length >= 2, `found ${pids.length} processes`);
    for (const pid of pids) assert.ok(!(await alive(pid)), `process ${pid} survived`);
    for (const folder of folders) assert.ok(!existsSync(folder), `${folder} survived`);
  });

  it('stops the registry and tinyproxy even when the test process is killed with SIGKILL', async () => {
    const { pids, code } = await childBed('sigkill');
    assert.equal(code, null);
    assert.ok(pids.length >= 2, `found ${pids.length} processes`);
    for (const pid of pids) assert.ok(!(await alive(pid)), `process ${pid} survived`);
  });

  it('leaves nothing behind when the test process gets SIGTERM', async () => {
    const { pids, folders, code } = await childBed('sigterm');
    assert.equal(code, 143);
    for (const pid of pids) assert.ok(!(await alive(pid)), `process ${pid} survived`);
    for (const folder of folders) assert.ok(!existsSync(folder), `${folder} survived`);
  });
});
