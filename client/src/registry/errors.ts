// Error texts as go-containerregistry (v0.21.6) and Go's net/http print them, because the controller's condition
// messages are exactly those strings (pkg/v1/remote/transport error.go). Nothing here ever includes a credential.
import { STATUS_CODES } from 'node:http';
import { RegistryError } from './contract';

/** Go's `http.StatusText`, which differs from Node's for a few codes. */
function statusText(status: number): string {
  const go: Record<number, string> = { 413: 'Request Entity Too Large', 414: 'Request URI Too Long', 416: 'Requested Range Not Satisfiable', 499: '', 522: '' };
  return go[status] ?? STATUS_CODES[status] ?? '';
}

/** Go's `%v` of a decoded JSON value: `map[k:v]` with sorted keys, `[a b]`, `<nil>`. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as object).sort().map((key) => `${key}:${goValue((value as Record<string, unknown>)[key])}`);
    return `map[${entries.join(' ')}]`;
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) && Math.abs(value) < 1e21 ? String(value) : String(value).replace(/e\+?(-?)(\d)$/, 'e+$10$2');
  }
  return String(value);
}

interface Diagnostic { code?: unknown; message?: unknown; detail?: unknown }

/** ggcr `transport.Error.Error()` for a non-success response. */
export function responseError(method: string, url: string, status: number, body: Buffer): RegistryError {
  let text: string;
  let diagnostics: Diagnostic[] | undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: Diagnostic[] };
    if (parsed && Array.isArray(parsed.errors)) diagnostics = parsed.errors;
  } catch { /* not a registry error body: shown raw below */ }
  const describe = (d: Diagnostic) => {
    const head = `${String(d.code ?? '')}: ${String(d.message ?? '')}`;
    return d.detail === undefined || d.detail === null ? head : `${head}; ${goValue(d.detail)}`;
  };
  if (diagnostics && diagnostics.length === 1) text = describe(diagnostics[0]!);
  else if (diagnostics && diagnostics.length > 1) text = `multiple errors returned: ${diagnostics.map(describe).join('; ')}`;
  else if (body.length === 0) text = `unexpected status code ${status} ${statusText(status)}`;
  else text = `unexpected status code ${status} ${statusText(status)}: ${body.toString('utf8').slice(0, 4096)}`;
  const error = new RegistryError(`${method} ${redact(url)}: ${text}`);
  (error as RegistryError & { status?: number }).status = status;
  return error;
}

/** URLs in messages lose any userinfo and token-like query values. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/token|password|secret|signature|sig$/i.test(key)) parsed.searchParams.set(key, 'REDACTED');
    }
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

const goMethod = (method: string) => method.charAt(0) + method.slice(1).toLowerCase();

/** Go's `*url.Error` text for a request that got no response: `Get "<url>": <cause>`. */
export function networkError(method: string, url: string, error: unknown, signal?: AbortSignal): RegistryError {
  const result = new RegistryError(`${goMethod(method)} "${redact(url)}": ${describeNetworkCause(url, error, signal)}`);
  (result as RegistryError & { network?: boolean }).network = !signal?.aborted;
  return result;
}

/** True for failures to reach a server at all (refused, reset, TLS), as opposed to an HTTP answer. */
export function isNetworkError(error: unknown): boolean {
  return Boolean((error as { network?: boolean } | undefined)?.network);
}

export function abortCause(signal: AbortSignal): string {
  const reason = signal.reason as { name?: string } | undefined;
  return reason?.name === 'TimeoutError' ? 'context deadline exceeded' : 'context canceled';
}

function describeNetworkCause(url: string, error: unknown, signal?: AbortSignal): string {
  if (signal?.aborted) return abortCause(signal);
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const cause = err?.code || !err?.cause ? err : err.cause;
  const code = cause?.code ?? '';
  const host = (() => { try { const u = new URL(url); return u.port ? u.host : `${u.host}:${u.protocol === 'https:' ? 443 : 80}`; } catch { return url; } })();
  const message = cause?.message ?? String(error);
  const peer = cause && 'address' in cause && 'port' in cause ? `${String((cause as { address: unknown }).address)}:${String((cause as { port: unknown }).port)}` : host;
  // A refused connection to someone other than the registry is the proxy's (Go says "proxyconnect tcp").
  const via = peer !== host ? 'proxyconnect tcp: ' : '';
  switch (code) {
    case 'ECONNREFUSED': return `${via}dial tcp ${peer}: connect: connection refused`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `dial tcp: lookup ${host.replace(/:\d+$/, '')}: no such host`;
    case 'ETIMEDOUT': case 'UND_ERR_CONNECT_TIMEOUT': return `dial tcp ${host}: i/o timeout`;
    case 'ECONNRESET': return `read tcp ${host}: connection reset by peer`;
    case 'EPIPE': return `write tcp ${host}: broken pipe`;
    case 'UND_ERR_SOCKET':
      if (message !== 'other side closed') return message;
      // With TLS 1.3 a registry that wants a client certificate rejects it after the handshake, and undici only
      // sees the connection close.
      return url.startsWith('https:') ? 'EOF (the registry closed the TLS connection; does it require a client certificate? see certSecretRef)' : 'EOF';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE': case 'SELF_SIGNED_CERT_IN_CHAIN': case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY': case 'UNABLE_TO_GET_ISSUER_CERT':
      return `tls: failed to verify certificate: x509: certificate signed by unknown authority (${message})`;
    case 'CERT_HAS_EXPIRED': return `tls: failed to verify certificate: x509: certificate has expired or is not yet valid (${message})`;
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE': return 'remote error: tls: bad certificate';
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED': return 'remote error: tls: certificate required';
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA': return 'remote error: tls: unknown certificate authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `tls: failed to verify certificate: x509: ${message}`;
    default:
      {
        const proxyStatus = /Proxy response \((\d+)\)/.exec(message);
        if (proxyStatus) {
          const status = Number(proxyStatus[1]);
          const hint = status === 407 || status === 401 ? ' (check the proxy\'s username and password)' : '';
          return `proxyconnect tcp: the proxy answered ${status} ${statusText(status)}${hint}`;
        }
      }
      return code && !message.includes(code) ? `${message} (${code})` : message;
  }
}
