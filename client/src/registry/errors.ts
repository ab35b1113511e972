// Error texts as go-containerregistry (v0.21.6) and Go's net/http print them, because the controller's condition
// messages are exactly those strings (pkg/v1/remote/transport error.go). Nothing here ever includes a credential.
import { STATUS_CODES } from 'node:http';
import { isIP } from 'node:net';
import { getSystemErrorMap } from 'node:util';
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

/** ggcr's `paramAllowlist` (internal/redact): query keys of the registry protocol, shown as they are. */
const shownQueryKeys = new Set(['scope', 'service', 'mount', 'from', 'digest', 'n', 'last']);

/** Go's `url.QueryEscape`: everything but `A-Za-z0-9-_.~` percent-encoded, a space as `+`. */
function goQueryEscape(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/**
 * A URL as ggcr's `redact.URL` prints it (go-containerregistry v0.21.6 internal/redact/redact.go): query keys
 * sorted (Go's `url.Values.Encode`), the values of keys outside the registry protocol's allowlist replaced by
 * `REDACTED`, a password shown as `xxxxx` (Go's `url.URL.Redacted`). A pagination cursor or a signed-URL token
 * therefore never reaches a message.
 */
export function redact(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
  if (parsed.password) parsed.password = 'xxxxx';
  const keys = [...new Set(parsed.searchParams.keys())].sort();
  const query = keys.flatMap((key) => parsed.searchParams.getAll(key).map((value) =>
    `${goQueryEscape(key)}=${goQueryEscape(shownQueryKeys.has(key) ? value : 'REDACTED')}`)).join('&');
  parsed.search = '';
  parsed.hash = '';
  return query ? `${parsed.toString()}?${query}` : parsed.toString();
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

/** Go's `x509.HostnameError.Error()` (crypto/x509/verify.go) for a certificate Node refused for `host`. */
function hostnameError(host: string, cert: { subjectaltname?: string; subject?: { CN?: string } } | undefined): string {
  const sans = (cert?.subjectaltname ?? '').split(/,\s*/).filter(Boolean);
  const names = sans.filter((san) => san.startsWith('DNS:')).map((san) => san.slice(4));
  const ips = sans.filter((san) => san.startsWith('IP Address:')).map((san) => san.slice(11).toLowerCase());
  if (sans.length === 0 && cert?.subject?.CN !== undefined && cert.subject.CN.toLowerCase() === host.toLowerCase()) {
    return 'x509: certificate relies on legacy Common Name field, use SANs instead';
  }
  let valid: string;
  if (isIP(host)) {
    if (ips.length === 0) return `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`;
    if (ips.length >= 100) return `x509: certificate is valid for ${ips.length} IP SANs, but none matched ${host}`;
    valid = ips.join(', ');
  } else {
    if (names.length >= 100) return `x509: certificate is valid for ${names.length} names, but none matched ${host}`;
    valid = names.join(', ');
  }
  if (valid === '') return `x509: certificate is not valid for any names, but wanted to match ${host}`;
  return `x509: certificate is valid for ${valid}, not ${host}`;
}

/** Node's and OpenSSL's codes for a certificate chain that ends at no trusted root (Go: `x509.UnknownAuthorityError`). */
const unknownAuthorityCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_SIGNATURE_FAILURE',
]);

/** TLS alerts a server sends, by OpenSSL's error code, as Go's `tls.alert` names them (`remote error: tls: …`). */
const tlsAlerts: Record<string, string> = {
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'bad certificate',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'certificate required',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'unknown certificate authority',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'handshake failure',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'protocol version not supported',
  ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR: 'internal error',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'access denied',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'expired certificate',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'unknown certificate',
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: 'error decrypting message',
  ERR_SSL_TLSV1_UNRECOGNIZED_NAME: 'unrecognized name',
};

/**
 * The cause part of Go's `*url.Error` for a request that got no response, as Go's net, crypto/tls, crypto/x509
 * and net/http print it: `dial tcp 127.0.0.1:5000: connect: connection refused`, `tls: failed to verify
 * certificate: x509: …`, `http: server gave HTTP response to HTTPS client`, `proxyconnect tcp: …`, `EOF`, or the
 * proxy's status text after a refused CONNECT. Never OpenSSL's or Node's own text: a failure without a Go
 * counterpart is named by what happened, in Go's words where there are some.
 */
export function describeNetworkCause(url: string, error: unknown, signal?: AbortSignal): string {
  if (signal?.aborted) return abortCause(signal);
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const cause = (err?.code || !err?.cause ? err : err.cause) as NodeJS.ErrnoException & { address?: unknown; port?: unknown; cert?: { subjectaltname?: string; subject?: { CN?: string } } };
  const code = cause?.code ?? '';
  const target = (() => { try { return new URL(url); } catch { return undefined; } })();
  const hostname = target ? target.hostname.replace(/^\[|\]$/g, '') : url;
  const host = target ? (target.port ? target.host : `${target.host}:${target.protocol === 'https:' ? 443 : 80}`) : url;
  const message = cause?.message ?? String(error);
  const peer = cause?.address !== undefined && cause?.port !== undefined
    ? (isIP(String(cause.address)) === 6 ? `[${String(cause.address)}]:${String(cause.port)}` : `${String(cause.address)}:${String(cause.port)}`)
    : host;
  // A refused connection to someone other than the registry is the proxy's (Go wraps it: "proxyconnect tcp").
  // A host name resolves to an address, so only the port (or a different address for an address literal) tells.
  const targetPort = host.slice(host.lastIndexOf(':') + 1);
  const toProxy = cause?.port !== undefined && (String(cause.port) !== targetPort || (isIP(hostname) !== 0 && String(cause.address) !== hostname));
  const via = toProxy ? 'proxyconnect tcp: ' : '';
  if (unknownAuthorityCodes.has(code)) return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  if (tlsAlerts[code]) return `remote error: tls: ${tlsAlerts[code]}`;
  switch (code) {
    case 'ECONNREFUSED': return `${via}dial tcp ${peer}: connect: connection refused`;
    case 'EHOSTUNREACH': return `${via}dial tcp ${peer}: connect: no route to host`;
    case 'ENETUNREACH': return `${via}dial tcp ${peer}: connect: network is unreachable`;
    case 'ENOTFOUND': return `dial tcp: lookup ${hostname}: no such host`;
    case 'EAI_AGAIN': return `dial tcp: lookup ${hostname}: server misbehaving`;
    case 'ETIMEDOUT': case 'UND_ERR_CONNECT_TIMEOUT': return `dial tcp ${host}: i/o timeout`;
    case 'UND_ERR_HEADERS_TIMEOUT': case 'UND_ERR_BODY_TIMEOUT': return `read tcp ${host}: i/o timeout`;
    case 'ECONNRESET':
      // Node's "socket disconnected before secure TLS connection was established" is a close during the
      // handshake, which Go's TLS client reads as io.EOF.
      return /before secure TLS/.test(message) ? 'EOF' : `read tcp ${peer}: read: connection reset by peer`;
    case 'EPIPE': return `write tcp ${peer}: write: broken pipe`;
    // The server closed the connection before answering: Go's io.EOF.
    case 'UND_ERR_SOCKET': case 'ECONNABORTED': return 'EOF';
    // OpenSSL read an HTTP answer where a TLS record should be: Go's http.ErrSchemeMismatch.
    case 'ERR_SSL_WRONG_VERSION_NUMBER': case 'ERR_SSL_PACKET_LENGTH_TOO_LONG': case 'ERR_SSL_HTTP_REQUEST':
      return 'http: server gave HTTP response to HTTPS client';
    case 'CERT_HAS_EXPIRED': case 'CERT_NOT_YET_VALID':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `tls: failed to verify certificate: ${hostnameError(hostname, cause?.cert)}`;
    // golang.org/x/net/internal/socks (Dialer.DialContext → UsernamePassword.Authenticate): an *net.OpError
    // with Op "socks connect"; undici does not say which proxy address it dialled.
    case 'UND_ERR_SOCKS5_AUTH_FAILED': return `socks connect tcp ${host}: username/password authentication failed`;
    default:
      {
        // undici's refused CONNECT ("Proxy response (407) !== 200 when HTTP Tunneling"): Go returns the status
        // text of the proxy's answer (net/http Transport.dialConn).
        const proxyStatus = /Proxy response \((\d+)\)/.exec(message);
        if (proxyStatus) return statusText(Number(proxyStatus[1])) || 'unknown status code';
      }
      if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'tls: handshake failure';
      {
        // Any other system error: Go's `*net.OpError` shape around libuv's name for it (Go prints the OS's
        // strerror, which libuv's names follow for all but a few, spelled out above).
        const errno = typeof cause?.errno === 'number' ? getSystemErrorMap().get(cause.errno)?.[1] : undefined;
        if (errno && cause?.syscall === 'connect') return `${via}dial tcp ${peer}: connect: ${errno}`;
        if (errno && (cause?.syscall === 'read' || cause?.syscall === 'write')) return `${cause.syscall} tcp ${peer}: ${cause.syscall}: ${errno}`;
        if (errno && cause?.syscall === 'getaddrinfo') return `dial tcp: lookup ${hostname}: ${errno}`;
      }
      // Nothing more is known than that the connection ended without an answer (Go's io.EOF); Node's and
      // OpenSSL's own texts are never shown.
      return /^[\w .:'"/-]*$/.test(message) && !/[A-Z_]{6,}/.test(message) ? message : 'EOF';
  }
}
