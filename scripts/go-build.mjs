#!/usr/bin/env node
// Builds the upstream Go programs of the Flux conformance stack (pinned in scripts/go/versions.json) and the
// test oracle (test/oracle/), each once per version, into a cache folder outside the repository:
//   ${XDG_CACHE_HOME:-$HOME/.cache}/tagline/go/<name>-<version>/<name>
// A later run finds the binary there and only prints its path. Sources come from the Go module proxy only
// (GOFLAGS=-mod=mod); upstream modules are built from their module@version as published, never copied into
// this repository:
// - image-reflector-controller's go.mod replaces `./api`, so it is built inside its downloaded module folder,
//   copied to a writable place, with the published api module of the same version as `./api`;
// - kube-apiserver's module (k8s.io/kubernetes) and etcd's (go.etcd.io/etcd/server/v3) replace their sibling
//   modules with local paths, which `go install module@version` refuses, so each is built from a small wrapper
//   module written into the cache that requires the module and pins the siblings to their published versions;
// - the policy oracle (test/oracle/policy/main.go) imports the controller's internal/policy, which Go allows only
//   from inside that module's tree: it is built like the controller, inside a copy of the downloaded module.
//
// Usage: node scripts/go-build.mjs [name…] [--json]   (no name: all of them; --json prints {name: path})
import { spawnSync } from 'node:child_process';
import { cpSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const versions = JSON.parse(readFileSync(join(repoRoot, 'scripts/go/versions.json'), 'utf8'));
export const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tagline', 'go');

function goEnv(extra = {}) {
  return {
    ...process.env,
    GOFLAGS: '-mod=mod',
    // The checksum database has no entry for this release of the controller (its lookup answers 404); every
    // other module is verified as usual.
    GONOSUMDB: [process.env.GONOSUMDB, 'github.com/fluxcd/image-reflector-controller'].filter(Boolean).join(','),
    CGO_ENABLED: '0',
    ...extra,
  };
}

function run(command, args, options) {
  const result = spawnSync('nice', ['-n', '10', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${options.cwd}) failed with ${result.status ?? result.signal}:\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

function goBuild(cwd, output, pkg, ldflags = '') {
  const args = ['build', '-p', '2', '-trimpath', '-o', output];
  if (ldflags) args.push(`-ldflags=${ldflags}`);
  args.push(pkg);
  run('go', args, { cwd, env: goEnv() });
}

/** `go mod download -json module@version` → the module's read-only folder in GOMODCACHE. */
function downloadModule(module, version) {
  const info = JSON.parse(run('go', ['mod', 'download', '-json', `${module}@${version}`], { cwd: cacheRoot, env: goEnv() }));
  if (info.Error) throw new Error(`go mod download ${module}@${version}: ${info.Error}`);
  return info.Dir;
}

/** A folder's files' paths and contents, hashed: the oracle's cache key (it changes with its source). */
function hashTree(folder) {
  const hash = createHash('sha256');
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (statSync(path).isFile()) hash.update(name).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

function versionOf(name) {
  const pin = versions[name];
  if (!pin) throw new Error(`unknown Go program ${name}; known: ${Object.keys(versions).filter((key) => !key.startsWith('$')).join(', ')}`);
  if (name === 'flux-oracle') return hashTree(join(repoRoot, pin.module));
  if (pin.source) return `${pin.version}-${hashTree(join(repoRoot, pin.source))}`;
  return pin.version;
}

/** The cached binary's path for `name` (whether it is built yet or not). */
export function binaryPath(name) {
  return join(cacheRoot, `${name}-${versionOf(name)}`, name);
}

/** A writable copy of the controller module at `pin.version` in `source`, with its `./api` in place. */
function copyControllerModule(pin, source) {
  cpSync(downloadModule(pin.module, pin.version), source, { recursive: true });
  // Its go.mod replaces the api module with `./api`, a nested module the module zip leaves out: put the
  // published api module of the same version there.
  cpSync(downloadModule(`${pin.module}/api`, pin.version), join(source, 'api'), { recursive: true });
  makeWritable(source);
}

const builders = {
  'image-reflector-controller'(pin, work, output) {
    const source = join(work, 'src');
    copyControllerModule(pin, source);
    goBuild(source, output, pin.package);
    // The cluster applies the controller's own CRDs and RBAC role of this very release.
    cpSync(join(source, 'config', 'crd', 'bases'), join(work, 'crd'), { recursive: true });
    cpSync(join(source, 'config', 'rbac', 'role.yaml'), join(work, 'rbac', 'role.yaml'));
  },
  'kube-apiserver'(pin, work, output) {
    const kubernetesMod = readFileSync(join(downloadModule(pin.module, pin.version), 'go.mod'), 'utf8');
    const staging = [...kubernetesMod.matchAll(/^\s*(k8s\.io\/[\w.-]+) => \.\/staging\//gm)].map((match) => match[1]);
    writeWrapper(work, 'tagline.invalid/kube-apiserver', [`${pin.module} ${pin.version}`], staging.map((module) => `${module} => ${module} ${pin.stagingVersion}`));
    const [major, minor] = pin.version.slice(1).split('.');
    const stamp = (pkg) => [`-X ${pkg}.gitVersion=${pin.version}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`];
    goBuild(join(work, 'src'), output, pin.package, ['-s', '-w', ...stamp('k8s.io/component-base/version'), ...stamp('k8s.io/client-go/pkg/version')].join(' '));
  },
  etcd(pin, work, output) {
    const siblings = ['go.etcd.io/etcd/api/v3', 'go.etcd.io/etcd/client/pkg/v3', 'go.etcd.io/etcd/client/v3', 'go.etcd.io/etcd/pkg/v3'];
    writeWrapper(work, 'tagline.invalid/etcd', [pin, ...siblings.map((module) => ({ module }))].map((entry) => `${entry.module} ${pin.version}`), []);
    goBuild(join(work, 'src'), output, pin.package, '-s -w');
  },
  'flux-policy-oracle'(pin, work, output) {
    const source = join(work, 'src');
    copyControllerModule(pin, source);
    cpSync(join(repoRoot, pin.source), join(source, pin.package), { recursive: true });
    goBuild(source, output, `./${pin.package}`);
  },
  'flux-oracle'(pin, work, output) {
    const source = join(work, 'src');
    cpSync(join(repoRoot, pin.module), source, { recursive: true });
    goBuild(source, output, pin.package);
  },
};

function writeWrapper(work, name, requires, replaces) {
  const source = join(work, 'src');
  mkdirSync(source, { recursive: true });
  const lines = [`module ${name}`, '', 'go 1.26.0', '', 'require (', ...requires.map((line) => `\t${line}`), ')'];
  if (replaces.length > 0) lines.push('', 'replace (', ...replaces.map((line) => `\t${line}`), ')');
  writeFileSync(join(source, 'go.mod'), `${lines.join('\n')}\n`);
}

function makeWritable(folder) {
  chmodSync(folder, 0o755);
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) makeWritable(path);
    else chmodSync(path, 0o644);
  }
}

/**
 * The binary of `name`, built first if the cache has none for its version. Returns its path and how long the
 * call took (`cold`: a build ran).
 */
export function ensureBinary(name, log = (line) => process.stderr.write(`${line}\n`)) {
  const output = binaryPath(name);
  if (existsSync(output)) return { path: output, cold: false, ms: 0 };
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) throw new Error(`building ${name} needs Go 1.26 or later on PATH (\`go version\` failed: ${go.error?.message ?? go.stderr.trim()})`);
  const work = dirname(output);
  const started = Date.now();
  const partial = `${work}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  log(`go-build: building ${name} ${versionOf(name)} (cold) …`);
  try {
    builders[name](versions[name], partial, join(partial, name));
    rmSync(join(partial, 'src'), { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    renameSync(partial, work);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  const ms = Date.now() - started;
  log(`go-build: ${name} built in ${(ms / 1000).toFixed(1)} s → ${output}`);
  return { path: output, cold: true, ms };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const names = args.filter((arg) => arg !== '--json');
  const wanted = names.length > 0 ? names : Object.keys(versions).filter((key) => !key.startsWith('$'));
  mkdirSync(cacheRoot, { recursive: true });
  const paths = {};
  for (const name of wanted) {
    const started = Date.now();
    const result = ensureBinary(name);
    paths[name] = result.path;
    if (!result.cold) process.stderr.write(`go-build: ${name} ${versionOf(name)} cached (warm, ${Date.now() - started} ms) → ${result.path}\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify(paths)}\n`);
}
