// secretRef and the ServiceAccount's imagePullSecrets → keyrings, as the controller gathers them for ggcr's
// kauth.NewFromPullSecrets (image-reflector-controller internal/registry/options.go `GetOptions`). Only dockerconfigjson/dockercfg Secrets count;
// any other type is silently ignored, as in the controller.
import type { ImageRepositoryObject, SecretObject, WorkspaceObjects } from '../../../../common/model';
import { RegistryError } from '../contract';
import { parseDockerConfig, type Keyring } from './keychain';
import { findSecret, secretValues, sopsMessage } from './secrets';

export interface PullSecrets {
  keyrings: Keyring[];
  /** Secrets we could not read locally (SOPS), named so a failed scan can say why. */
  notes: string[];
}

function keyringOf(secret: SecretObject): Keyring | undefined {
  const values = secretValues(secret);
  const source = `secret '${secret.metadata.namespace}/${secret.metadata.name}'`;
  const json = values.get('.dockerconfigjson');
  if (secret.type === 'kubernetes.io/dockerconfigjson' && json) return parseDockerConfig(json, 'dockerconfigjson', source);
  const cfg = values.get('.dockercfg');
  if (secret.type === 'kubernetes.io/dockercfg' && cfg) return parseDockerConfig(cfg, 'dockercfg', source);
  return undefined;
}

export function gatherPullSecrets(repo: ImageRepositoryObject, objects: WorkspaceObjects): PullSecrets {
  const namespace = repo.metadata.namespace;
  const secrets: SecretObject[] = [];
  if (repo.spec.secretRef) {
    const secret = findSecret(objects, namespace, repo.spec.secretRef.name);
    // The controller reads secretRef with the raw API client, hence the API server's wording.
    if (!secret) throw new RegistryError(`secrets "${repo.spec.secretRef.name}" not found`);
    secrets.push(secret);
  }
  if (repo.spec.serviceAccountName) {
    const sa = objects.serviceAccounts.find((candidate) => candidate.metadata.namespace === namespace && candidate.metadata.name === repo.spec.serviceAccountName);
    const saId = `${namespace}/${repo.spec.serviceAccountName}`;
    if (!sa) throw new RegistryError(`serviceaccount '${saId}' not found`);
    for (const ref of sa.imagePullSecrets ?? []) {
      const secret = findSecret(objects, namespace, ref.name);
      if (!secret) throw new RegistryError(`failed to get image pull secret for serviceaccount '${saId}': secret '${namespace}/${ref.name}' not found`);
      secrets.push(secret);
    }
  }
  const keyrings: Keyring[] = [];
  const notes: string[] = [];
  for (const secret of secrets) {
    if (secret.sopsEncrypted) { notes.push(sopsMessage(secret)); continue; }
    const keyring = keyringOf(secret);
    if (keyring) keyrings.push(keyring);
  }
  return { keyrings, notes };
}
