// docker-credential-<name> helpers (the docker-credential-helpers protocol): `get` with the server URL on stdin
// answers `{"ServerURL","Username","Secret"}` on stdout; a Username of `<token>` means Secret is an identity
// token. Only run when the workspace is trusted (CredentialContext.allowProcesses).
import { spawn } from 'node:child_process';
import { RegistryError } from '../contract';
import type { AuthConfig } from '../options';

const helperTimeoutMs = 15_000;

/** The helper program is not installed. */
export class HelperMissing extends RegistryError {}
const maxOutput = 1024 * 1024;

export function runCredentialHelper(name: string, serverUrl: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<AuthConfig | undefined> {
  if (!/^[\w.-]+$/.test(name)) return Promise.reject(new RegistryError(`invalid credential helper name '${name}'`));
  const program = `docker-credential-${name}`;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'], signal });
    // Not spawn's own `timeout`: its timer outlives a helper that failed to start (no 'exit' event then).
    const timer = setTimeout(() => child.kill('SIGKILL'), helperTimeoutMs);
    const settle = () => clearTimeout(timer);
    child.once('close', settle);
    child.once('error', settle);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { if (stdout.length < maxOutput) stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { if (stderr.length < 4096) stderr += chunk.toString(); });
    child.stdin.on('error', () => undefined);
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new HelperMissing(`credential helper ${program} is configured in the docker config but not installed (not on PATH)`));
      else if (error.name === 'AbortError') reject(new RegistryError(`credential helper ${program} was stopped: the scan was cancelled or timed out`));
      else reject(new RegistryError(`credential helper ${program} failed: ${error.message}`));
    });
    child.on('close', (code, signalName) => {
      if (code !== 0) {
        // The protocol's "not found" answer: no credentials for this server, not a failure.
        if (/credentials not found/i.test(stdout + stderr)) { resolve(undefined); return; }
        reject(new RegistryError(`credential helper ${program} get exited with ${code ?? signalName}: ${(stdout || stderr).trim().slice(0, 200)}`));
        return;
      }
      let parsed: { Username?: string; Secret?: string };
      try {
        parsed = JSON.parse(stdout);
      } catch {
        reject(new RegistryError(`credential helper ${program} get printed invalid JSON`));
        return;
      }
      if (!parsed.Secret && !parsed.Username) { resolve(undefined); return; }
      resolve(parsed.Username === '<token>'
        ? { identityToken: parsed.Secret }
        : { username: parsed.Username, password: parsed.Secret });
    });
    child.stdin.end(serverUrl);
  });
}
