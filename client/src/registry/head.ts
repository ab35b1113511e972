// `remote.Head` of ggcr v0.21.6 as image-reflector-controller's fetchDigest calls it for an ImagePolicy's
// digestReflectionPolicy: ping, authenticate with scope `repository:<repo>:pull` (the scan's credentials, TLS and
// proxy), then `HEAD /v2/<repo>/manifests/<tag>` and read `Docker-Content-Digest`.
import type { ImageReference } from '../../../common/flux/reference';
import { RegistryError, type ScanOptions } from './contract';
import { BearerSession, directAuthorization } from './auth/bearer';
import { sharedPing } from './ping-cache';
import { dispatcherFor, dispatcherKey } from './dispatcher';
import { redact } from './errors';
import { defaultLimits } from './limits';
import { resolved } from './options';
import { header, headerValues, send, type Exchange } from './transport';
import { ssrfRedirectProblem } from './redirect-ssrf';

/** ggcr remote's manifest media types, in its order (remote/descriptor.go). */
const ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
].join(',');

const STATUS_TEXT: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error' };

/**
 * The digest (`sha256:…`) of `<reference>:<tag>` from a HEAD on its manifest. Errors are ggcr's texts (a HEAD
 * has no body: `HEAD <url>: unexpected status code 404 Not Found (HEAD responses have no body, use GET for details)`).
 */
export async function headManifestDigest(reference: ImageReference, tag: string, options: ScanOptions, signal: AbortSignal): Promise<string> {
  const opts = resolved(options);
  const transport = dispatcherKey(opts);
  const exchange: Exchange = { dispatcher: dispatcherFor(opts, transport), signal, maxResponseBytes: defaultLimits.maxResponseBytes };
  const { origin, challenge } = await sharedPing(`${reference.scheme}://${reference.registry} ${transport}`, reference, exchange);
  const auth = await opts.authenticator(signal);
  const bearer = challenge.scheme === 'bearer'
    ? new BearerSession(challenge, `repository:${reference.repository}:pull`, auth, exchange, reference.registry)
    : undefined;
  const url = `${origin}/v2/${reference.repository}/manifests/${tag}`;
  const headers: Record<string, string> = { accept: ACCEPT };
  const authorization = bearer ? await bearer.authorization() : directAuthorization(auth);
  if (authorization) headers.authorization = authorization;
  let response = await send({ method: 'HEAD', url, headers }, exchange, ssrfRedirectProblem);
  if (response.status === 401 && bearer) {
    const renewed = await bearer.rechallenge(headerValues(response, 'www-authenticate'));
    if (renewed) {
      headers.authorization = renewed;
      response = await send({ method: 'HEAD', url, headers }, exchange, ssrfRedirectProblem);
    }
  }
  if (response.status !== 200) {
    const text = `${response.status} ${STATUS_TEXT[response.status] ?? ''}`.trim();
    throw new RegistryError(`HEAD ${redact(url)}: unexpected status code ${text} (HEAD responses have no body, use GET for details)`);
  }
  const digest = header(response, 'docker-content-digest') ?? '';
  if (!/^[a-z0-9]+:[a-f0-9]+$/.test(digest)) throw new RegistryError(`cannot parse hash: ${JSON.stringify(digest)}`);
  return digest;
}
