// What a failed Kubernetes request says, in the API server's or Go's words, never with a credential in it.
import type { KubeConfig } from '@kubernetes/client-node';

/** A failed request: the HTTP status (0 when none came back) and the message a person reads. */
export class KubernetesError extends Error {
  constructor(message: string, readonly code: number, readonly reason?: string) {
    super(message);
    this.name = 'KubernetesError';
  }

  get forbidden(): boolean {
    return this.code === 403;
  }

  /** 410 Gone: the watch's or list's resourceVersion is too old (etcd compacted it); relist. */
  get expired(): boolean {
    return this.code === 410 || this.reason === 'Expired' || this.reason === 'Gone';
  }
}

/** Go's net error texts for the Node errno codes a dial or read can end with (net/net.go, syscall). */
const GO_NET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  ECONNRESET: 'read: connection reset by peer',
  EPIPE: 'write: broken pipe',
  ETIMEDOUT: 'i/o timeout',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls: failed to verify certificate: x509: certificate signed by unknown authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls: failed to verify certificate: x509: certificate signed by unknown authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls: failed to verify certificate: x509: certificate signed by unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls: failed to verify certificate: x509: certificate signed by unknown authority',
  CERT_HAS_EXPIRED: 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls: failed to verify certificate: x509: certificate is valid for other names',
};

/**
 * Turns whatever @kubernetes/client-node threw into a KubernetesError: the API server's `Status.message` for an
 * HTTP error (e.g. `imagerepositories.image.toolkit.fluxcd.io is forbidden: User "jane" cannot list resource
 * "imagerepositories" in API group "image.toolkit.fluxcd.io" at the cluster scope`, which names the verb and the
 * resource refused), or client-go's `Get "URL": dial tcp HOST:PORT: connect: connection refused` shape for a
 * transport error. `config` is used to scrub the user's token and password from the text, whatever produced it.
 */
export function kubernetesError(err: unknown, config: KubeConfig | undefined, method = 'GET', url?: string): KubernetesError {
  if (err instanceof KubernetesError) return err;
  const e = err as { code?: unknown; statusCode?: unknown; body?: unknown; message?: string; errno?: unknown; type?: string; cause?: { code?: string } };
  const status = typeof e.code === 'number' ? e.code : typeof e.statusCode === 'number' ? e.statusCode : 0;
  if (status > 0) {
    const body = parseStatus(e.body);
    const message = body?.message || httpStatusText(status);
    return new KubernetesError(redact(message, config), status, body?.reason);
  }
  const errno = typeof e.code === 'string' ? e.code : e.cause?.code;
  const text = errno && GO_NET_ERRORS[errno];
  const target = url ? `${method[0]}${method.slice(1).toLowerCase()} "${url}": ` : '';
  if (text) {
    const dial = errno!.startsWith('E') && errno !== 'ECONNRESET' && errno !== 'EPIPE';
    const prefix = dial && url ? `dial tcp ${new URL(url).host}: ` : '';
    return new KubernetesError(redact(`${target}${prefix}${text}`, config), 0);
  }
  return new KubernetesError(redact(`${target}${e.message ?? String(err)}`, config), 0);
}

function parseStatus(body: unknown): { message?: string; reason?: string } | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return body ? { message: body as string } : undefined;
    }
  }
  if (value && typeof value === 'object') {
    const status = value as { message?: unknown; reason?: unknown };
    return { message: typeof status.message === 'string' ? status.message : undefined, reason: typeof status.reason === 'string' ? status.reason : undefined };
  }
  return undefined;
}

/** client-go's text when the body is not a Status (k8s.io/apimachinery pkg/api/errors NewGenericServerResponse). */
function httpStatusText(code: number): string {
  switch (code) {
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'the server could not find the requested resource';
    case 410: return 'Gone';
    case 429: return 'Too many requests, please try again later.';
    default: return `an error on the server ("") has prevented the request from succeeding`;
  }
}

/** Removes the current user's token, password and any `Bearer …` value from a text. */
export function redact(text: string, config: KubeConfig | undefined): string {
  let out = text.replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 [redacted]');
  const user = config?.getCurrentUser();
  for (const secret of [user?.token, user?.password]) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
