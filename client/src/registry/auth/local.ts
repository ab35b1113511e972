// The person's own credentials, our addition for local use (GitOps repositories rarely hold readable pull
// secrets): Docker's config.json (credHelpers, then credsStore, then auths) and Podman's auth.json. Looked up
// as ggcr's DefaultKeychain looks them up: first by the full repository, then by the registry, with Docker Hub
// known as `https://index.docker.io/v1/` to helpers.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ImageReference } from '../../../../common/flux/reference';
import type { CredentialContext } from '../contract';
import { RegistryError } from '../contract';
import type { AuthConfig } from '../options';
import { keyringFromAuths, resolveFromKeyrings } from './keychain';
import { HelperMissing, runCredentialHelper } from './helper';

interface DockerConfigFile {
  auths?: Record<string, unknown>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface LocalCredential { auth: AuthConfig; source: string }

async function readJson(path: string): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch (error) {
    throw new RegistryError(`${path}: invalid JSON: ${(error as Error).message}`);
  }
}

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(home(env), '.docker', 'config.json');
}

export function podmanAuthPaths(env: NodeJS.ProcessEnv): string[] {
  if (env.REGISTRY_AUTH_FILE) return [env.REGISTRY_AUTH_FILE];
  const paths: string[] = [];
  if (env.XDG_RUNTIME_DIR) paths.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  paths.push(join(env.XDG_CONFIG_HOME || join(home(env), '.config'), 'containers', 'auth.json'));
  return paths;
}

// A reconcile of many objects on one registry would otherwise run the helper once per object. Answers are kept
// in memory for a minute (a `docker login` shows up after that), keyed without the secret itself.
const helperAnswers = new Map<string, { answer: Promise<AuthConfig | undefined>; until: number }>();
const helperAnswerTtlMs = 60_000;

function askHelper(store: string, server: string, ctx: CredentialContext, signal: AbortSignal): Promise<AuthConfig | undefined> {
  const key = [store, server, ctx.env.PATH ?? '', ctx.env.HOME ?? ''].join('\n');
  const cached = helperAnswers.get(key);
  if (cached && cached.until > Date.now()) return cached.answer;
  const answer = runCredentialHelper(store, server, ctx.env, signal);
  helperAnswers.set(key, { answer, until: Date.now() + helperAnswerTtlMs });
  answer.catch(() => helperAnswers.delete(key));
  return answer;
}

/** Forgets remembered credential-helper answers (tests; "sign out"). */
export function clearHelperAnswers(): void {
  helperAnswers.clear();
}

const helperServer = (registry: string) => (registry === 'index.docker.io' ? 'https://index.docker.io/v1/' : registry);

function fromAuths(file: DockerConfigFile, path: string, reference: ImageReference): LocalCredential | undefined {
  if (!file.auths) return undefined;
  const keyring = keyringFromAuths(file.auths, path);
  const match = resolveFromKeyrings([keyring], reference.canonicalImageName);
  return match ? { auth: match.auth, source: `${path} (auths "${match.key}")` } : undefined;
}

function hasCredential(auth: AuthConfig | undefined): auth is AuthConfig {
  return Boolean(auth && (auth.username || auth.password || auth.identityToken || auth.registryToken));
}

/**
 * `note` receives why a credential could not be used (a default credsStore whose helper is not installed: a
 * stale Docker Desktop setting must not fail scans of public images; a credHelpers entry still does).
 */
export async function dockerCredential(reference: ImageReference, ctx: CredentialContext, signal: AbortSignal, note: (text: string) => void = () => undefined): Promise<LocalCredential | undefined> {
  const path = dockerConfigPath(ctx.env);
  const file = await readJson(path);
  if (!file) return undefined;
  const helper = file.credHelpers?.[reference.registry] ?? (reference.registry === 'index.docker.io' ? file.credHelpers?.['docker.io'] : undefined);
  const store = helper ?? file.credsStore;
  if (store && ctx.allowProcesses) {
    let auth: AuthConfig | undefined;
    try {
      auth = await askHelper(store, helperServer(reference.registry), ctx, signal);
    } catch (error) {
      if (helper || !(error instanceof HelperMissing)) throw error;
      note(`${error.message} (credsStore in ${path})`);
    }
    if (hasCredential(auth)) return { auth, source: `docker-credential-${store}` };
  }
  return fromAuths(file, path, reference);
}

export async function podmanCredential(reference: ImageReference, ctx: CredentialContext): Promise<LocalCredential | undefined> {
  for (const path of podmanAuthPaths(ctx.env)) {
    const file = await readJson(path);
    if (!file) continue;
    const found = fromAuths(file, path, reference);
    if (found) return found;
  }
  return undefined;
}
