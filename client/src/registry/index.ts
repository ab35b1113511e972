// The registry library the reconciler, the CLI and the extension use (docs/architecture.md).
export { RegistryError, type CredentialContext, type ScanOptions } from './contract';
export { listTags } from './list';
export { headManifestDigest } from './head';
export { buildScanOptions } from './auth/scan-options';
export { scanOptions, type AuthConfig, type Authenticator, type ResolvedScanOptions } from './options';
export { closeDispatchers } from './dispatcher';
export { clearTokenCache } from './auth/bearer';
export { clearPingCache } from './ping-cache';
export { clearHelperAnswers } from './auth/local';
export { clearCloudTokens } from './auth/providers';
