// Reading Secrets from the workspace manifests as the controller reads them from the API server: `data` is
// base64, `stringData` wins over it (as the API server merges it), and a SOPS-encrypted Secret is reported as
// such instead of being decoded into garbage.
import type { SecretObject, WorkspaceObjects } from '../../../../common/model';
import { RegistryError } from '../contract';

export function findSecret(objects: WorkspaceObjects, namespace: string, name: string): SecretObject | undefined {
  return objects.secrets.find((secret) => secret.metadata.namespace === namespace && secret.metadata.name === name);
}

export function sopsMessage(secret: SecretObject): string {
  const { namespace, name } = secret.metadata;
  return `secret '${namespace}/${name}' is SOPS-encrypted in the workspace and cannot be read locally; ` +
    'decrypt it (sops -d) or sign in to the registry instead';
}

/** The decoded values of a Secret. Throws a clear error for SOPS-encrypted Secrets. */
export function secretValues(secret: SecretObject): Map<string, string> {
  if (secret.sopsEncrypted) throw new RegistryError(sopsMessage(secret));
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    values.set(key, Buffer.from(String(value ?? ''), 'base64').toString('utf8'));
  }
  for (const [key, value] of Object.entries(secret.stringData ?? {})) values.set(key, String(value ?? ''));
  return values;
}

/** `secret '<ns>/<name>' not found` — fluxcd/pkg/runtime/secrets' text. */
export function requireSecret(objects: WorkspaceObjects, namespace: string, name: string): SecretObject {
  const secret = findSecret(objects, namespace, name);
  if (!secret) throw new RegistryError(`secret '${namespace}/${name}' not found`);
  return secret;
}
