// The proxies besides plain-HTTP tinyproxy that a proxySecretRef address may name: SOCKS5 (Debian's microsocks,
// with username/password auth) and an HTTPS proxy (Debian's stunnel4 terminating TLS in front of a tinyproxy).
// Each names in its log every connection it made, so a test can tell the proxy was used, not bypassed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensurePackages, makeTempFolder, removeTempFolder, spawnTracked, type Spawned } from './processes';
import { accepts, freePort, startTinyproxy, type TinyProxy } from './tinyproxy';
import { testPki } from './certs';

export interface ProxyProcess {
  /** `socks5://127.0.0.1:PORT` or `https://127.0.0.1:PORT`, without credentials. */
  url: string;
  username: string;
  password: string;
  /** Everything the proxy logged so far (for the HTTPS proxy: the tinyproxy behind the TLS end). */
  log(): string;
  stop(): Promise<void>;
}

/** Starts `start(port)` on a free port, retrying if someone takes the port first. */
async function onFreePort(name: string, start: (port: number) => Spawned): Promise<{ port: number; process: Spawned }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const process = start(port);
    // Ends early when the program exits (its port was taken); the deadline bounds only a start that hangs.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && process.child.exitCode === null) {
      if (await accepts(port)) return { port, process };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await process.stop();
  }
  throw new Error(`${name} did not start on a free loopback port after 5 attempts`);
}

/** microsocks on loopback, requiring a username and password (RFC 1929). */
export async function startSocks5Proxy(): Promise<ProxyProcess> {
  ensurePackages();
  const username = 'socksuser';
  const password = randomBytes(9).toString('base64url');
  const { port, process } = await onFreePort('microsocks', (p) =>
    spawnTracked('microsocks', ['-i', '127.0.0.1', '-p', String(p), '-u', username, '-P', password]));
  return { url: `socks5://127.0.0.1:${port}`, username, password, log: () => process.output(), stop: () => process.stop() };
}

/**
 * An HTTPS proxy: stunnel4 accepts TLS with a certificate for 127.0.0.1 from `pki` (trust `pki.ca`) and hands the
 * stream to a tinyproxy with Basic auth, which does the proxying and logs each CONNECT.
 */
export async function startHttpsProxy(pki = testPki()): Promise<ProxyProcess & { ca: string }> {
  ensurePackages();
  const tinyproxy: TinyProxy = await startTinyproxy();
  const folder = makeTempFolder('tagline-stunnel-');
  try {
    const { port, process } = await onFreePort('stunnel4', (p) => {
      const config = join(folder, `stunnel-${p}.conf`);
      writeFileSync(config, [
        'foreground = yes', 'pid =', 'debug = notice', '',
        '[https-proxy]', `accept = 127.0.0.1:${p}`, `connect = ${tinyproxy.host}`,
        `cert = ${pki.files.serverCert}`, `key = ${pki.files.serverKey}`, '',
      ].join('\n'));
      return spawnTracked('stunnel4', [config]);
    });
    return {
      url: `https://127.0.0.1:${port}`,
      username: tinyproxy.username,
      password: tinyproxy.password,
      ca: pki.ca,
      log: () => tinyproxy.log(),
      async stop() {
        await process.stop();
        await tinyproxy.stop();
        removeTempFolder(folder);
      },
    };
  } catch (error) {
    await tinyproxy.stop();
    removeTempFolder(folder);
    throw error;
  }
}
