// Debian's tinyproxy with proxy Basic auth on loopback. Quirks: `Port 0` is refused, so a
// free port is picked first and the start retried if someone takes it; wrong credentials get 401, not 407.
import { createServer, connect } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensurePackages, makeTempFolder, spawnTracked, type Spawned } from './processes';

export interface TinyProxy {
  /** `http://127.0.0.1:PORT` without credentials. */
  url: string;
  host: string;
  username: string;
  password: string;
  /** tinyproxy's log so far (it names every CONNECT target). */
  log(): string;
  stop(): Promise<void>;
}

/** A loopback port nobody listens on right now (for programs that cannot take port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

export async function startTinyproxy(): Promise<TinyProxy> {
  ensurePackages();
  const folder = makeTempFolder('tagline-tinyproxy-');
  const username = 'proxyuser';
  const password = randomBytes(9).toString('base64url');
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const logFile = join(folder, 'tinyproxy.log');
    // No ConnectPort line: CONNECT may reach any port (the registries' ports are random).
    writeFileSync(join(folder, 'tinyproxy.conf'), [
      `Port ${port}`, 'Listen 127.0.0.1', 'Timeout 60', 'MaxClients 50', 'LogLevel Connect', `LogFile "${logFile}"`,
      'Allow 127.0.0.1', `BasicAuth ${username} ${password}`, '',
    ].join('\n'));
    writeFileSync(logFile, '');
    const proc: Spawned = spawnTracked('tinyproxy', ['-d', '-c', join(folder, 'tinyproxy.conf')], { cwd: folder });
    // Ends early when tinyproxy exits (its port was taken); the deadline bounds only a start that hangs.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && proc.child.exitCode === null) {
      if (await accepts(port)) {
        return {
          url: `http://127.0.0.1:${port}`,
          host: `127.0.0.1:${port}`,
          username,
          password,
          log: () => readFileSync(logFile, 'utf8') + proc.output(),
          stop: () => proc.stop(),
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await proc.stop();
  }
  throw new Error('tinyproxy did not start on a free loopback port after 5 attempts');
}
