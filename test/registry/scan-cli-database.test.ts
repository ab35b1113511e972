// `tagline scan` when its tag database cannot be saved: every object Ready, and still exit 1, saying why. The
// database lives on a full tmpfs (needs root; skipped with the reason otherwise).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { fillFileSystem, mountTmpfs, unmount } from '../harness/tmpfs';

const ROOT = resolve(__dirname, '../..');

describe('tagline scan and a tag database that cannot be saved', () => {
  let bed: RegistryBed;
  const folder = mkdtempSync(join(tmpdir(), 'tagline-scan-db-'));
  let mount: string | undefined;
  before(async () => { bed = await startRegistryBed({ variant: 'plain', seed: { 'team/app': ['1.0.0', '2.0.0'] } }); });
  after(async () => {
    if (mount) unmount(mount);
    await bed?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('exits 1 with "tag database not saved: <reason>" although every object is Ready', async (t) => {
    const tmpfs = mountTmpfs(folder, '256k');
    if ('skip' in tmpfs) { t.skip(tmpfs.skip); return; }
    mount = tmpfs.mount;
    fillFileSystem(mount);
    const manifests = join(folder, 'manifests');
    mkdirSync(manifests);
    writeFileSync(join(manifests, 'app.yaml'), `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  image: ${bed.host}/team/app\n  interval: 5m\n`);
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/tagline.ts'), 'scan', manifests, '--db', join(mount!, 'tags.sqlite')], {
        cwd: ROOT, env: { PATH: process.env.PATH, HOME: folder, DOCKER_CONFIG: join(folder, 'docker'), TZ: 'UTC' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => done({ code, stdout, stderr }));
    });
    assert.match(run.stdout, /^app\s+\S+\s+False\s+True\s+successful scan: found 2 tags/m);
    assert.equal(run.stderr, 'tagline scan: tag database not saved: ENOSPC: no space left on device, write\n');
    assert.equal(run.code, 1);
  });
});
