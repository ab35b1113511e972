// `npm run registry`: the local demo registries the examples/ manifests point at, running until Ctrl-C.
//   127.0.0.1:5050 (TAGLINE_REGISTRY_PORT)       anonymous, behind the paginating shim (Link headers like a real
//                                                registry; distribution 2.8 has none)
//   127.0.0.1:5051 (TAGLINE_REGISTRY_AUTH_PORT)  htpasswd Basic auth, user `demo`, password `tagline-demo`
// The addresses are written to .tagline-demo/registry.json ({"registry","authRegistry"}) and the plain one also
// to .tagline-demo/registry (one line), for scripts that want to find them.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startRegistryBed, type RegistryBed } from './registry-bed';

const semver = (major: number, minors: number, patches: number) =>
  Array.from({ length: minors }, (_, minor) => Array.from({ length: patches }, (__, patch) => `${major}.${minor}.${patch}`)).flat();
const cosign = (count: number) => Array.from({ length: count }, (_, i) => `sha256-${(i + 1).toString(16).padStart(64, 'a')}.sig`);

/** Repositories and tags of the demo registry; examples/ refers to these. */
export const demoSeed: Record<string, string[]> = {
  'stefanprodan/podinfo': [...semver(6, 8, 3).map((v) => v), 'latest', ...cosign(4)],
  'apps/frontend': [...semver(1, 5, 4), 'latest', 'main-3f2a9c1', 'main-8d41b0e', 'main-c07e55a'],
  'payments/api': ['2.0.0', '2.0.1', '2.1.0-rc.1', '2.1.0-rc.2', '2.1.0', '2.2.0-rc.1', ...cosign(2)],
  // More than one page of 1000: the scan follows Link headers.
  'platform/nginx': [...semver(1, 28, 4), ...Array.from({ length: 2400 }, (_, i) => `build-${String(i + 1).padStart(5, '0')}`)],
};

export const demoAuthSeed: Record<string, string[]> = {
  'payments/worker': ['0.9.0', '1.0.0', '1.0.1', '1.1.0', '1.2.0'],
};

export const demoCredentials = { username: 'demo', password: 'tagline-demo' };

function portFrom(variable: string, fallback: number): number {
  const value = process.env[variable];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${variable}=${value} is not a TCP port`);
  return port;
}

async function main(): Promise<void> {
  const port = portFrom('TAGLINE_REGISTRY_PORT', 5050);
  const authPort = portFrom('TAGLINE_REGISTRY_AUTH_PORT', 5051);
  const beds: RegistryBed[] = [];
  const stateFolder = resolve(__dirname, '../../.tagline-demo');
  let wroteAddress = false;
  // Only our own address files: a second `npm run registry` that finds the ports taken must not remove the
  // files of the one that is running.
  const forgetAddress = () => {
    if (!wroteAddress) return;
    rmSync(join(stateFolder, 'registry'), { force: true });
    rmSync(join(stateFolder, 'registry.json'), { force: true });
  };
  const stop = async () => {
    forgetAddress();
    await Promise.all(beds.map((bed) => bed.stop()));
  };
  try {
    beds.push(await startRegistryBed({ variant: 'plain', shim: true, port, seed: demoSeed }));
    beds.push(await startRegistryBed({ variant: 'basic', port: authPort, credentials: demoCredentials, seed: demoAuthSeed }));
  } catch (error) {
    await stop();
    const text = String((error as Error).message);
    if (/EADDRINUSE|address already in use/.test(text)) {
      console.error(`tagline demo registry: port ${port} or ${authPort} is taken (is \`npm run registry\` already running?). Set TAGLINE_REGISTRY_PORT / TAGLINE_REGISTRY_AUTH_PORT to use others; the examples name 127.0.0.1:5050 and :5051.`);
    } else {
      console.error(`tagline demo registry: ${text}`);
    }
    process.exit(1);
  }
  const [plain, auth] = beds as [RegistryBed, RegistryBed];
  mkdirSync(stateFolder, { recursive: true });
  wroteAddress = true;
  writeFileSync(join(stateFolder, 'registry'), `${plain.host}\n`);
  writeFileSync(join(stateFolder, 'registry.json'), `${JSON.stringify({ registry: plain.host, authRegistry: auth.host, authUser: demoCredentials.username }, null, 2)}\n`);
  console.log(`demo registry: ${plain.host}`);
  console.log(`demo registry with Basic auth: ${auth.host} (user ${demoCredentials.username}, password ${demoCredentials.password})`);
  for (const [repo, tags] of Object.entries(demoSeed)) console.log(`  ${plain.host}/${repo}: ${tags.length} tags`);
  for (const [repo, tags] of Object.entries(demoAuthSeed)) console.log(`  ${auth.host}/${repo}: ${tags.length} tags`);
  console.log('try: npx tagline scan examples/    (Ctrl-C stops the registries)');
  // Ctrl-C and SIGTERM: the harness stops the registries and removes their storage on the way out.
  process.on('exit', forgetAddress);
}

if (require.main === module) void main();
