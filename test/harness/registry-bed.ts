// The registry test bed: Debian's real `docker-registry` (distribution 2.8) on an OS-chosen loopback port, in the
// variants the client must handle, with an optional paginating/fault-injecting shim and tinyproxy in front.
// Every process and folder it makes is removed by `stop()`, and on exit, Ctrl-C or SIGTERM if a test never gets
// there. The pieces and their quirks are in docs/architecture.md (Registry client and credentials) and in the
// harness modules beside this one.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { ensurePackages, makeTempFolder, removeTempFolder, run, spawnTracked } from './processes';
import { testPki } from './certs';
import { startShim, type FaultRule, type Shim, type ShimRequest } from './shim';
import { startTokenServer, type TokenServer } from './token-server';
import { startTinyproxy, type TinyProxy } from './tinyproxy';
import { seedTags, deleteTags } from './seed';

export type { FaultRule, ShimRequest, TokenServer, TinyProxy };
export { startTinyproxy };

export type RegistryVariant = 'plain' | 'basic' | 'token' | 'tls' | 'mtls' | 'proxy';

export interface RegistryBedOptions {
  variant: RegistryVariant;
  seed?: Record<string, string[]>;
  /** Put the paginating, fault-injecting shim in front (http variants only); `host` is then the shim's. */
  shim?: boolean;
  /** Also start tinyproxy (implied by the `proxy` variant), e.g. to reach a `tls` registry through a proxy. */
  withProxy?: boolean;
  /** Fixed port for `host` (the shim's when there is one, else the registry's) instead of an OS-chosen one. */
  port?: number;
  /** Fixed credentials for `basic`/`token` (the demo); random otherwise. */
  credentials?: { username: string; password: string };
  /** More htpasswd users for `basic` (username → password), e.g. the fixed usernames cloud CLIs map to. */
  extraUsers?: Record<string, string>;
}

export interface RegistryBed {
  variant: RegistryVariant;
  /** `127.0.0.1:PORT` clients should use: the shim when there is one, else the registry. */
  host: string;
  /** `http(s)://` + host. */
  url: string;
  /** The registry itself, bypassing the shim. */
  registryHost: string;
  registryUrl: string;
  /** For `basic` and `token`. */
  credentials?: { username: string; password: string };
  /** PEM, for `tls` and `mtls`. */
  ca?: string;
  clientCert?: string;
  clientKey?: string;
  /** A certificate/key pair from no CA the registry trusts. */
  rogueCert?: string;
  rogueKey?: string;
  /** For `proxy` (and `withProxy`): tinyproxy with Basic auth. */
  proxy?: TinyProxy;
  tokenServer?: TokenServer;
  /** Requests the shim saw (empty without a shim). */
  requests: ShimRequest[];
  shimSettings?: Shim['settings'];
  storage: string;
  seed(repo: string, tags: string[]): Promise<void>;
  deleteTags(repo: string, tags: string[]): Promise<void>;
  faults(rules: FaultRule[]): void;
  /** The registry's own log. */
  log(): string;
  stop(): Promise<void>;
}

const baseConfig = (storage: string, port: number) => `version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:${port}
  secret: tagline-test-only-not-a-secret
`;

const ANSWER_WITHIN_MS = 30_000;

/**
 * Polls `url` until the registry answers. It listens before it prints so, and this returns at the first try; the
 * deadline only bounds a start that went wrong, and is generous for a loaded 2-core CI machine.
 */
async function waitUntilAnswering(url: string, dispatcher: Agent): Promise<void> {
  const deadline = Date.now() + ANSWER_WITHIN_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await request(url, { dispatcher });
      await response.body.dump();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  throw new Error(`registry at ${url} did not answer within ${ANSWER_WITHIN_MS / 1000} s: ${String(lastError)}`);
}

export async function startRegistryBed(options: RegistryBedOptions): Promise<RegistryBed> {
  ensurePackages();
  const { variant } = options;
  const tls = variant === 'tls' || variant === 'mtls';
  if (options.shim && tls) throw new Error('the shim speaks plain HTTP only; use it with plain, basic, token or proxy');
  const folder = makeTempFolder(`tagline-registry-${variant}-`);
  const storage = makeTempFolder(`tagline-registry-data-`, true);
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
    removeTempFolder(storage);
    removeTempFolder(folder);
  };

  try {
    let config = baseConfig(storage, options.shim ? 0 : options.port ?? 0);
    let credentials: RegistryBed['credentials'];
    let tokenServer: TokenServer | undefined;
    const pki = tls || variant === 'token' ? testPki() : undefined;
    if (variant === 'basic' || variant === 'token') {
      credentials = options.credentials ?? { username: 'tagline', password: randomBytes(12).toString('base64url') };
    }
    if (variant === 'basic') {
      const users = { [credentials!.username]: credentials!.password, ...options.extraUsers };
      writeFileSync(join(folder, 'htpasswd'), Object.entries(users).map(([user, password]) => run('htpasswd', ['-Bbn', user, password]).trim()).join('\n') + '\n');
      config += `auth:\n  htpasswd:\n    realm: tagline-test-realm\n    path: ${join(folder, 'htpasswd')}\n`;
    }
    if (variant === 'token') {
      // The realm URL names the token server's port, so it starts first.
      tokenServer = await startTokenServer({ keyPem: pki!.tokenKey, certPem: pki!.tokenCert, users: { [credentials!.username]: credentials!.password } });
      cleanups.push(() => tokenServer!.close());
      config += `auth:\n  token:\n    realm: ${tokenServer.url}\n    service: ${tokenServer.service}\n    issuer: ${tokenServer.issuer}\n    rootcertbundle: ${pki!.files.tokenCert}\n`;
    }
    if (tls) {
      config += `  tls:\n    certificate: ${pki!.files.serverCert}\n    key: ${pki!.files.serverKey}\n`;
      if (variant === 'mtls') config += `    clientcas:\n      - ${pki!.files.ca}\n`;
    }
    writeFileSync(join(folder, 'config.yml'), config);
    mkdirSync(join(storage, 'docker/registry/v2/repositories'), { recursive: true });

    const registry = spawnTracked('docker-registry', ['serve', join(folder, 'config.yml')], { cwd: folder });
    cleanups.push(() => registry.stop());
    const [, port] = await registry.waitFor(/listening on 127\.0\.0\.1:(\d+)/);
    const registryHost = `127.0.0.1:${port}`;
    const registryUrl = `${tls ? 'https' : 'http'}://${registryHost}`;
    const probe = new Agent({ connect: pki && tls ? { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } : {} });
    try { await waitUntilAnswering(`${registryUrl}/v2/`, probe); } finally { await probe.close(); }

    let shim: Shim | undefined;
    if (options.shim) {
      shim = await startShim(registryUrl, options.port ?? 0);
      cleanups.push(() => shim!.close());
    }
    let proxy: TinyProxy | undefined;
    if (variant === 'proxy' || options.withProxy) {
      proxy = await startTinyproxy();
      cleanups.push(() => proxy!.stop());
    }

    const host = shim?.host ?? registryHost;
    const bed: RegistryBed = {
      variant,
      host,
      url: `${tls ? 'https' : 'http'}://${host}`,
      registryHost,
      registryUrl,
      credentials,
      ca: tls ? pki!.ca : undefined,
      clientCert: tls ? pki!.clientCert : undefined,
      clientKey: tls ? pki!.clientKey : undefined,
      rogueCert: tls ? pki!.rogueCert : undefined,
      rogueKey: tls ? pki!.rogueKey : undefined,
      proxy,
      tokenServer,
      requests: shim?.requests ?? [],
      shimSettings: shim?.settings,
      storage,
      async seed(repo, tags) { await seedTags(storage, repo, tags); shim?.invalidate(); },
      async deleteTags(repo, tags) { await deleteTags(storage, repo, tags); shim?.invalidate(); },
      faults(rules) {
        if (!shim) throw new Error('faults need a bed started with { shim: true }');
        shim.faults(rules);
      },
      log: () => registry.output(),
      stop,
    };
    for (const [repo, tags] of Object.entries(options.seed ?? {})) await bed.seed(repo, tags);
    return bed;
  } catch (error) {
    await stop();
    throw error;
  }
}
