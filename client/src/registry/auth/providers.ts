// `provider: aws|azure|gcp` (fluxcd/pkg auth `GetArtifactRegistryCredentials`): the registry host is checked against fluxcd/pkg/auth's
// patterns and a token comes from the person's own cloud CLI instead of workload identity. Both happen lazily,
// at scan time, as the controller's authenticator does, so failures are ReadOperationFailed `scan failed: …`.
import { execFile } from 'node:child_process';
import { parseImageReference } from '../../../../common/flux/reference';
import type { CredentialContext } from '../contract';
import { RegistryError } from '../contract';
import type { Authenticator, AuthConfig } from '../options';

export const providerPatterns = {
  aws: /([0-9+]*).dkr[.-]ecr(?:-fips)?\.([^/.]*)\.(amazonaws\.com[.cn]*|amazonaws\.eu|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov|on\.aws)/,
  azure: /^.+\.(azurecr\.io|azurecr\.cn|azurecr\.de|azurecr\.us)$/,
  gcp: /^(((.+\.)?gcr\.io)|(.+-docker\.pkg\.dev)|(docker\.s3nsregistry\.fr))$/,
};
const patternText = {
  aws: String.raw`([0-9+]*).dkr[.-]ecr(?:-fips)?\.([^/.]*)\.(amazonaws\.com[.cn]*|amazonaws\.eu|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov|on\.aws)`,
  azure: String.raw`^.+\.(azurecr\.io|azurecr\.cn|azurecr\.de|azurecr\.us)$`,
  gcp: String.raw`^(((.+\.)?gcr\.io)|(.+-docker\.pkg\.dev)|(docker\.s3nsregistry\.fr))$`,
};

export type CloudProvider = keyof typeof providerPatterns;

export function isCloudProvider(provider: string): provider is CloudProvider {
  return provider === 'aws' || provider === 'azure' || provider === 'gcp';
}

/** The host fluxcd/pkg/auth checks: from the raw spec.image, not the canonical name. */
export function providerRegistry(image: string): string {
  const trimmed = image.replace(/\/+$/, '');
  if (!trimmed.includes('/')) return trimmed;
  const parsed = parseImageReference(trimmed);
  return parsed.ok ? parsed.reference.registry : trimmed;
}

const label = { aws: 'AWS', azure: 'Azure', gcp: 'GCP' };

function checkHost(provider: CloudProvider, host: string): RegExpExecArray {
  const match = providerPatterns[provider].exec(host);
  if (!match) throw new RegistryError(`invalid ${label[provider]} registry: '${host}'. must match ${patternText[provider]}`);
  return match;
}

function runCli(program: string, args: string[], ctx: CredentialContext, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { env: ctx.env, signal, timeout: 60_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) { resolve(stdout.trim()); return; }
      const err = error as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') reject(new RegistryError(`failed to get access token for artifact registry: the ${program} CLI is not installed (not on PATH); install it and sign in, or use a pull secret`));
      else if (err.name === 'AbortError') reject(new RegistryError(`failed to get access token for artifact registry: ${program} was stopped: the scan was cancelled or timed out`));
      else reject(new RegistryError(`failed to get access token for artifact registry: ${program} ${args[0]} ${args[1] ?? ''} failed: ${String(stderr || err.message).trim().slice(0, 300)}`));
    });
  });
}

/**
 * The one-line token `aws … get-login-password` and `gcloud auth print-access-token` print. Anything else (a
 * banner, a prompt, an HTML page) is refused here, without echoing it (it may hold a secret), rather than sent
 * to the registry as a password that can only fail as UNAUTHORIZED.
 */
async function tokenLine(program: string, args: string[], ctx: CredentialContext, signal: AbortSignal): Promise<string> {
  const output = await runCli(program, args, ctx, signal);
  if (!/^[\x21-\x7e]+$/.test(output)) {
    throw new RegistryError(`failed to get access token for artifact registry: ${program} ${args.slice(0, 2).join(' ')} printed no token (expected one line of printable ASCII)`);
  }
  return output;
}

async function token(provider: CloudProvider, host: string, ctx: CredentialContext, signal: AbortSignal): Promise<AuthConfig> {
  const match = host === 'public.ecr.aws' && provider === 'aws' ? undefined : checkHost(provider, host);
  if (!ctx.allowProcesses) {
    throw new RegistryError(`failed to get access token for artifact registry: cloud CLIs are not run in an untrusted workspace`);
  }
  if (provider === 'aws') {
    const region = match ? match[2]! : 'us-east-1';
    const args = host === 'public.ecr.aws' ? ['ecr-public', 'get-login-password', '--region', region] : ['ecr', 'get-login-password', '--region', region];
    return { username: 'AWS', password: await tokenLine('aws', args, ctx, signal) };
  }
  if (provider === 'azure') {
    const output = await runCli('az', ['acr', 'login', '--name', host.split('.')[0]!, '--expose-token', '--output', 'json'], ctx, signal);
    let parsed: { accessToken?: string };
    try { parsed = JSON.parse(output); } catch { parsed = {}; }
    if (!parsed.accessToken) throw new RegistryError('failed to get access token for artifact registry: az acr login --expose-token printed no accessToken');
    // ACR's exposed token is a refresh token for the username below (Azure's documented docker login form).
    return { username: '00000000-0000-0000-0000-000000000000', password: parsed.accessToken };
  }
  return { username: 'oauth2accesstoken', password: await tokenLine('gcloud', ['auth', 'print-access-token'], ctx, signal) };
}

// Cloud registry tokens live 1–12 h; a token is reused for 10 minutes, across scans and objects, so a reconcile
// of many objects (or a rescan) does not run the CLI each time. Keyed by the environment that picks the account.
const cloudTokenTtlMs = 10 * 60_000;
const cloudTokens = new Map<string, { auth: Promise<AuthConfig>; until: number }>();
const accountEnv = ['PATH', 'HOME', 'AWS_PROFILE', 'AWS_CONFIG_FILE', 'AZURE_CONFIG_DIR', 'CLOUDSDK_CONFIG', 'CLOUDSDK_CORE_ACCOUNT'];

/** Forgets remembered cloud CLI tokens (tests; "sign out"). */
export function clearCloudTokens(): void {
  cloudTokens.clear();
}

/**
 * The authenticator for `provider: aws|azure|gcp` (fluxcd/pkg/auth `GetArtifactRegistryCredentials` in spirit):
 * checks the host of `image` against the provider's pattern, then runs the person's CLI at scan time —
 * `aws ecr get-login-password --region R` (`ecr-public` for public.ecr.aws) → user `AWS`;
 * `az acr login --name N --expose-token --output json` → `accessToken` as the password of the all-zero GUID user;
 * `gcloud auth print-access-token` → user `oauth2accesstoken`. The CLI is bounded by the scan's `signal`.
 * Errors: RegistryError with the controller's `invalid … registry` text or `failed to get access token …`.
 */
export function providerAuthenticator(provider: CloudProvider, image: string, ctx: CredentialContext): Authenticator {
  const host = providerRegistry(image);
  const key = [provider, host, String(ctx.allowProcesses), ...accountEnv.map((name) => ctx.env[name] ?? '')].join('\n');
  return async (signal) => {
    const cached = cloudTokens.get(key);
    if (cached && cached.until > Date.now()) return cached.auth;
    const auth = token(provider, host, ctx, signal);
    cloudTokens.set(key, { auth, until: Date.now() + cloudTokenTtlMs });
    auth.catch(() => { if (cloudTokens.get(key)?.auth === auth) cloudTokens.delete(key); });
    return auth;
  };
}
