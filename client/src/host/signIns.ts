// Registry credentials a person typed into "Sign in to a registry". They live only in VS Code's
// SecretStorage (the OS keychain on desktop) and reach the credential chain through CredentialContext.signedIn,
// which consults them after the workspace Secrets and the local docker config.
import * as vscode from 'vscode';

const PREFIX = 'tagline.registry:';
const INDEX = 'tagline.registries';

export interface RegistryLogin { username: string; password: string }

export class SignIns {
  constructor(private readonly secrets: vscode.SecretStorage, private readonly memento: vscode.Memento) {}

  get onDidChange(): vscode.Event<vscode.SecretStorageChangeEvent> {
    return this.secrets.onDidChange;
  }

  async get(registry: string): Promise<RegistryLogin | undefined> {
    const raw = await this.secrets.get(PREFIX + normalise(registry));
    if (!raw) return undefined;
    try {
      const v = JSON.parse(raw) as RegistryLogin;
      return typeof v.username === 'string' && typeof v.password === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  async store(registry: string, login: RegistryLogin): Promise<void> {
    const host = normalise(registry);
    await this.secrets.store(PREFIX + host, JSON.stringify(login));
    // SecretStorage cannot list its keys, so the host names (not secret) are kept beside it for "Sign out".
    const hosts = new Set(this.registries());
    hosts.add(host);
    await this.memento.update(INDEX, [...hosts].sort());
  }

  async remove(registry: string): Promise<void> {
    const host = normalise(registry);
    await this.secrets.delete(PREFIX + host);
    await this.memento.update(INDEX, this.registries().filter((h) => h !== host));
  }

  registries(): string[] {
    return this.memento.get<string[]>(INDEX, []);
  }
}

/** `https://ghcr.io/` and `GHCR.io` name the same registry; docker.io's aliases map to index.docker.io as Flux does. */
export function normalise(registry: string): string {
  const host = registry.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return host === 'docker.io' || host === 'registry-1.docker.io' ? 'index.docker.io' : host;
}
