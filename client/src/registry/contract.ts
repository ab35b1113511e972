// The contract between the registry package (client/src/registry/, credentials in registry/auth/) and the
// reconciler; client/src/registry/index.ts is the one entry point.
import type { ImageReference } from '../../../common/flux/reference';
import type { ImageRepositoryObject, WorkspaceObjects } from '../../../common/model';

/** Everything needed to talk to one registry for one object: TLS, proxy, credentials. Opaque to the reconciler. */
export interface ScanOptions {
  readonly kind: 'scan-options';
}

/** Where local credentials come from; tests point these at temporary folders. */
export interface CredentialContext {
  env: NodeJS.ProcessEnv;
  /** Credentials the person stored through "Sign in to a registry" (VS Code SecretStorage), by registry host. */
  signedIn?: (registry: string) => Promise<{ username: string; password: string } | undefined>;
  /** False in untrusted workspaces: no credential helper or cloud CLI is run. */
  allowProcesses: boolean;
  /** Extra CA files (PEM) from settings, added to the system roots. */
  extraCaFiles?: string[];
}

/**
 * Error whose message is exactly the controller's text *without* the reason prefix
 * (`failed to configure authentication options: ` / `scan failed: ` are added by the reconciler).
 */
export class RegistryError extends Error {}
