// Builds wasm/kustomize (Go, js/wasm) into ${XDG_CACHE_HOME:-~/.cache}/tagline/kustomize-wasm-<hash>/ and copies
// kustomize.wasm and Go's wasm_exec.js into dist/. The hash covers the Go sources, go.mod, go.sum and the build
// flags, so a checkout builds once; the Go toolchain named in go.mod and every module come from the Go module proxy.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'wasm', 'kustomize');
const flags = ['build', '-trimpath', '-buildvcs=false', '-ldflags=-s -w', '-o'];

function toolchain() {
  const match = /^toolchain (go\S+)$/m.exec(readFileSync(join(source, 'go.mod'), 'utf8'));
  if (!match) throw new Error('wasm/kustomize/go.mod names no toolchain');
  return match[1];
}

function sourceHash() {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ flags, toolchain: toolchain(), target: 'js/wasm' }));
  for (const name of readdirSync(source).filter((n) => /\.go$|^go\.(mod|sum)$/.test(n)).sort()) {
    hash.update(`\0${name}\0`).update(readFileSync(join(source, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Returns the cache folder holding kustomize.wasm and wasm_exec.js, building them first when missing. */
export function buildKustomizeWasm({ log = (m) => console.log(m) } = {}) {
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tagline');
  const target = join(cache, `kustomize-wasm-${sourceHash()}`);
  if (existsSync(join(target, 'kustomize.wasm'))) return target;
  const staging = `${target}.tmp-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const env = { ...process.env, GOTOOLCHAIN: toolchain(), GOOS: 'js', GOARCH: 'wasm', CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' };
  const started = Date.now();
  log(`tagline: building wasm/kustomize with ${env.GOTOOLCHAIN} (once per change of its sources)`);
  try {
    execFileSync('go', [...flags, join(staging, 'kustomize.wasm'), '.'], { cwd: source, env, stdio: ['ignore', 'inherit', 'inherit'] });
    const goroot = execFileSync('go', ['env', 'GOROOT'], { cwd: source, env, encoding: 'utf8' }).trim();
    copyFileSync(join(goroot, 'lib', 'wasm', 'wasm_exec.js'), join(staging, 'wasm_exec.js'));
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (err.code === 'ENOENT') throw new Error('tagline: building the kustomize module needs Go (https://go.dev/dl/) on PATH');
    throw err;
  }
  log(`tagline: built wasm/kustomize in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return target;
}

/** Copies the module into `dist`. */
export function copyKustomizeWasm(dist) {
  const built = buildKustomizeWasm();
  for (const name of ['kustomize.wasm', 'wasm_exec.js']) copyFileSync(join(built, name), join(dist, name));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(buildKustomizeWasm());
