// `tagline scan` as a person runs it: a real process against the real registry, each output format, exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { Sandbox, tagListRequests } from './reconciler-fixtures';

const ROOT = resolve(__dirname, '../..');

interface Run { code: number | null; stdout: string; stderr: string }

function tagline(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/tagline.ts'), ...args], { cwd: ROOT, env: { ...env, TZ: 'UTC' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

function manifest(name: string, namespace: string, spec: Record<string, unknown>): string {
  const specLines = Object.entries(spec).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n');
  return `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n${specLines}\n`;
}

describe('tagline scan', () => {
  let bed: RegistryBed;
  let sandbox: Sandbox;
  let good: string;
  let bad: string;

  before(async () => {
    bed = await startRegistryBed({ variant: 'plain', shim: true, seed: { 'team/app': ['1.0.0', '1.1.0', '2.0.0', 'sha256-abc.sig'], 'team/web': ['v1'] } });
  });
  after(async () => {
    await sandbox?.dispose();
    await bed?.stop();
  });
  beforeEach(async () => {
    await sandbox?.dispose();
    sandbox = new Sandbox();
    bed.requests.length = 0;
    bed.faults([]);
    good = sandbox.path('good');
    bad = sandbox.path('bad');
    mkdirSync(good);
    mkdirSync(bad);
    writeFileSync(join(good, 'app.yaml'), manifest('app', 'apps', { image: `${bed.host}/team/app`, interval: '5m' }) + '---\n' + manifest('web', 'apps', { image: `${bed.host}/team/web`, interval: '1h' }));
    writeFileSync(
      join(bad, 'broken.yaml'),
      [
        manifest('scheme', 'apps', { image: `https://${bed.host}/team/app`, interval: '5m' }),
        manifest('regex', 'apps', { image: `${bed.host}/team/app`, interval: '5m', exclusionList: ['[='] }),
        manifest('fine', 'other', { image: `${bed.host}/team/app`, interval: '5m' }),
      ].join('---\n'),
    );
  });

  it('prints the flux get table and exits 0 when every object is Ready', async () => {
    const run = await tagline(['scan', good, '--db', sandbox.path('db.sqlite')], sandbox.env);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n').slice(0, -1);
    assert.ok(lines.every((l) => l.endsWith('\t')), 'every cell ends with the padding tab, as tablewriter prints it');
    const cells = (line: string) => line.split('\t').slice(0, -1).map((c) => c.trimEnd());
    assert.deepEqual(cells(lines[0]), ['NAME', 'LAST SCAN', 'SUSPENDED', 'READY', 'MESSAGE']);
    const app = cells(lines[1]);
    assert.equal(app[0], 'app');
    assert.match(app[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(app.slice(2, 4), ['False', 'True']);
    // Adler-32 of ["2.0.0","1.1.0","1.0.0"]: the .sig tag is excluded by default.
    assert.equal(app[4], 'successful scan: found 3 tags with checksum 1014105254');
    assert.equal(lines[2].split('\t')[0].trim(), 'web');
    assert.equal(lines.length, 3);
  });

  it('adds NAMESPACE for several namespaces, shows the controller messages, and exits 1', async () => {
    const run = await tagline(['scan', bad, '--db', sandbox.path('db.sqlite')], sandbox.env);
    assert.equal(run.code, 1);
    const rows = run.stdout.split('\n').slice(0, -1).map((l) => l.split('\t').slice(0, -1).map((c) => c.trimEnd()));
    assert.deepEqual(rows[0], ['NAMESPACE', 'NAME', 'LAST SCAN', 'SUSPENDED', 'READY', 'MESSAGE']);
    assert.deepEqual(rows.slice(1).map((r) => [r[0], r[1], r[4], r[5]]), [
      ['apps', 'regex', 'False', 'scan failed: failed to compile regex [=: error parsing regexp: missing closing ]: `[=`'],
      ['apps', 'scheme', 'False', `image 'https://${bed.host}/team/app' should not include URL scheme; remove 'https://'`],
      ['other', 'fine', 'True', 'successful scan: found 3 tags with checksum 1014105254'],
    ]);
  });

  it('prints json and yaml lists of Flux-shaped objects with their events', async () => {
    const db = sandbox.path('db.sqlite');
    const json = await tagline(['scan', good, '--db', db, '--format', 'json'], sandbox.env);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout) as { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; status: { canonicalImageName: string; lastScanResult: { tagCount: number } }; events: { type: string; reason: string }[] }[];
    assert.deepEqual(list.map((o) => [o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name]), [
      ['image.toolkit.fluxcd.io/v1', 'ImageRepository', 'apps', 'app'],
      ['image.toolkit.fluxcd.io/v1', 'ImageRepository', 'apps', 'web'],
    ]);
    assert.equal(list[0].status.canonicalImageName, `${bed.host}/team/app`);
    assert.equal(list[0].status.lastScanResult.tagCount, 3);
    assert.deepEqual(list[0].events.map((e) => `${e.type} ${e.reason}`), ['Normal Succeeded']);

    const yaml = await tagline(['scan', good, '--db', db, '--format', 'yaml'], sandbox.env);
    assert.equal(yaml.code, 0, yaml.stderr);
    const fromYaml = parseYaml(yaml.stdout) as typeof list;
    assert.deepEqual(fromYaml.map((o) => o.metadata.name), ['app', 'web']);
    assert.equal(fromYaml[0].status.lastScanResult.tagCount, 3);
    assert.deepEqual(fromYaml[0].events.map((e) => `${e.type} ${e.reason}`), ['Trace Succeeded'], 'second run: nothing changed');
    assert.equal(tagListRequests(bed.requests, 'team/app'), 1, 'the second run used the database');
  });

  it('describes objects like kubectl describe, with Status and Events', async () => {
    const run = await tagline(['scan', bad, '--db', sandbox.path('db.sqlite'), '--format', 'describe'], sandbox.env);
    assert.equal(run.code, 1);
    const regex = run.stdout.split('\n\n').find((block) => block.startsWith('Name:        regex'))!;
    assert.match(regex, /^Namespace:\s+apps$/m);
    assert.match(regex, /^Status:$/m);
    assert.match(regex, /^ {4}Reason:\s+ReadOperationFailed$/m);
    assert.match(regex, /^ {4}Reason:\s+ProgressingWithRetry$/m);
    assert.match(regex, /^Events:$/m);
    assert.match(regex, /^ {2}Warning\s+ReadOperationFailed\s+\d+s\s+image-reflector-controller\s+scan failed: failed to compile regex \[=/m);
  });

  it('keeps its database under $XDG_CACHE_HOME/tagline by default', async () => {
    const run = await tagline(['scan', good], sandbox.env);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(existsSync(join(sandbox.env.XDG_CACHE_HOME!, 'tagline', 'tags.sqlite')));
  });

  it('rejects unknown options and formats with exit code 2 and the usage', async () => {
    for (const args of [['scan'], ['scan', good, '--format', 'xml'], ['scan', good, '--bogus']]) {
      const run = await tagline(args, sandbox.env);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /usage: tagline scan/);
    }
  });

  it('--watch reprints an object after its manifest changes and exits on SIGINT', { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/tagline.ts'), 'scan', good, '--db', sandbox.path('db.sqlite'), '--watch'], {
      cwd: ROOT,
      env: { ...sandbox.env, TZ: 'UTC' },
    });
    let stdout = '';
    const waitFor = (pattern: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => pattern.test(stdout) && (child.stdout.off('data', check), resolve());
        child.stdout.on('data', check);
        check();
      });
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await waitFor(/^web\s/m);
      writeFileSync(join(good, 'app.yaml'), manifest('app', 'apps', { image: `https://${bed.host}/team/app`, interval: '5m' }));
      await waitFor(/should not include URL scheme/);
      child.kill('SIGINT');
      assert.equal(await exited, 1, 'not every object is Ready any more');
    } finally {
      child.kill('SIGKILL');
    }
  });
  it('reports every ImageRepository it does not scan, with the reason, and exits 1', async () => {
    const repo = sandbox.path('fleet');
    mkdirSync(join(repo, 'clusters/production/flux-system'), { recursive: true });
    mkdirSync(join(repo, 'clusters/production/apps'), { recursive: true });
    writeFileSync(join(repo, 'clusters/production/flux-system/gotk-components.yaml'),
      '---\n# This manifest was generated by flux. DO NOT EDIT.\n# Flux Version: v2.9.5\n# Components: image-reflector-controller\n' +
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n');
    writeFileSync(join(repo, 'clusters/production/apps/images.yaml'), [
      manifest('app', 'apps', { image: `${bed.host}/team/app`, interval: '5m' }),
      manifest('legacy', 'apps', { image: `${bed.host}/team/web`, interval: '5m' }).replace('/v1\n', '/v1beta2\n'),
      manifest('no-interval', 'apps', { image: `${bed.host}/team/web` }),
    ].join('---\n'));
    const run = await tagline(['scan', repo, '--db', sandbox.path('db.sqlite')], sandbox.env);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, [
      'tagline scan: Flux version: Flux 2.9.5 from the "# Flux Version" header in clusters/production/flux-system/gotk-components.yaml',
      'tagline scan: apps/legacy: not scanned: apiVersion image.toolkit.fluxcd.io/v1beta2 is not served by Flux 2.9.5 (clusters/production/apps/images.yaml:9)',
      'tagline scan: apps/no-interval: not scanned: spec.interval is missing (clusters/production/apps/images.yaml:18)',
      '',
    ].join('\n'));
    assert.match(run.stdout, /^NAME\tLAST SCAN/);
    assert.match(run.stdout, /\napp \t\S+\tFalse    \tTrue \tsuccessful scan: found 3 tags/);
    assert.equal(tagListRequests(bed.requests, 'team/app'), 1);
    assert.equal(tagListRequests(bed.requests, 'team/web'), 0, 'skipped objects are not scanned');

    const judged = await tagline(['scan', repo, '--db', sandbox.path('db.sqlite'), '--flux-version', '2.8'], sandbox.env);
    assert.match(judged.stderr, /^tagline scan: Flux version: Flux 2\.8 from --flux-version\ntagline scan: apps\/no-interval: not scanned: spec\.interval is missing/);
    assert.doesNotMatch(judged.stderr, /legacy/);
  });
});
