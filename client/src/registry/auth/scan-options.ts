// buildScanOptions: the controller's AuthOptionsGetter.GetOptions (internal/registry/options.go), in its order — proxy
// Secret, provider, cert Secret, pull secrets — followed by our local additions: the person's signed-in
// credentials, Docker's config (helpers, then auths) and Podman's auth.json. Errors carry the controller's text
// without the `failed to configure authentication options: ` prefix, which the reconciler adds.
import type { ImageReference } from '../../../../common/flux/reference';
import type { ImageRepositoryObject, WorkspaceObjects } from '../../../../common/model';
import { RegistryError, type CredentialContext, type ScanOptions } from '../contract';
import { environmentProxyFrom, type Authenticator, type ResolvedScanOptions, type TlsSettings } from '../options';
import { resolveFromKeyrings } from './keychain';
import { dockerCredential, podmanCredential } from './local';
import { isCloudProvider, providerAuthenticator } from './providers';
import { proxyFromSecret } from './proxy';
import { gatherPullSecrets } from './pull-secrets';
import { caFromFiles, tlsFromSecret } from './tls';

export async function buildScanOptions(
  repo: ImageRepositoryObject,
  reference: ImageReference,
  objects: WorkspaceObjects,
  ctx: CredentialContext,
): Promise<ScanOptions> {
  const namespace = repo.metadata.namespace;
  const proxy = repo.spec.proxySecretRef ? proxyFromSecret(objects, namespace, repo.spec.proxySecretRef.name) : undefined;

  const provider = repo.spec.provider ?? 'generic';
  if (provider !== 'generic' && !isCloudProvider(provider)) throw new RegistryError(`provider '${provider}' not implemented`);

  const tls: TlsSettings = repo.spec.certSecretRef
    ? tlsFromSecret(objects, namespace, repo.spec.certSecretRef.name)
    : { extraCa: [] };
  tls.extraCa.push(...await caFromFiles(ctx.extraCaFiles));

  const options: ResolvedScanOptions = {
    kind: 'scan-options',
    authenticator: async () => undefined,
    credentialSource: 'anonymous',
    tls,
    proxy,
    environmentProxy: environmentProxyFrom(ctx.env),
    authNotes: [],
  };

  if (isCloudProvider(provider)) {
    // The controller ignores secretRef and the ServiceAccount's pull secrets when a provider is set.
    const cloud = providerAuthenticator(provider, repo.spec.image, ctx);
    options.credentialSource = `${provider} CLI`;
    options.authenticator = cloud;
    return options;
  }

  const pullSecrets = gatherPullSecrets(repo, objects);
  options.authNotes.push(...pullSecrets.notes);
  const fromSecrets = resolveFromKeyrings(pullSecrets.keyrings, reference.canonicalImageName);
  const chain: Authenticator = async (signal) => {
    if (fromSecrets) {
      options.credentialSource = `${fromSecrets.source} (key "${fromSecrets.key}")`;
      return fromSecrets.auth;
    }
    const signedIn = await ctx.signedIn?.(reference.registry);
    if (signedIn) {
      options.credentialSource = `signed in to ${reference.registry}`;
      return { username: signedIn.username, password: signedIn.password };
    }
    const local = (await dockerCredential(reference, ctx, signal, (text) => { if (!options.authNotes.includes(text)) options.authNotes.push(text); })) ?? (await podmanCredential(reference, ctx));
    if (local) {
      options.credentialSource = local.source;
      return local.auth;
    }
    options.credentialSource = 'anonymous';
    return undefined;
  };
  options.authenticator = chain;
  return options;
}
