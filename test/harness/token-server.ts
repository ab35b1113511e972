// A small Docker/OCI token server for distribution's `auth: token` (the registry's real JWT flow), on loopback.
// Users with the right password get the scopes they ask for; anonymous callers get a token with no access, which
// the registry then refuses. It also speaks the OAuth2 refresh-token POST (identity tokens) unless told not to.
import { createServer, type Server } from 'node:http';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface TokenRequest {
  method: string;
  scope: string;
  service: string;
  /** Who the caller proved to be: a user name, `identity:<user>` for a refresh token, or undefined (anonymous). */
  subject?: string;
}

export interface TokenServerSettings {
  /** Which JSON field carries the token; registries differ. */
  field: 'token' | 'access_token' | 'both';
  expiresIn: number;
  /** False: POST answers 404, as token servers without OAuth2 do (clients must fall back to GET). */
  oauth: boolean;
}

export interface TokenServer {
  url: string;
  issuer: string;
  service: string;
  requests: TokenRequest[];
  settings: TokenServerSettings;
  /** identity token → user, for `identitytoken` entries in docker configs. */
  identityTokens: Map<string, string>;
  close(): Promise<void>;
}

function parseScope(scope: string): { type: string; name: string; actions: string[] } {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

export async function startTokenServer(options: { keyPem: string; certPem: string; users: Record<string, string> }): Promise<TokenServer> {
  const certDer = new X509Certificate(options.certPem).raw;
  const b64u = (data: string | Buffer) => Buffer.from(data).toString('base64url');
  const sign = (claims: object) => {
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
    return `${input}.${b64u(createSign('RSA-SHA256').update(input).sign(options.keyPem))}`;
  };
  const state: Omit<TokenServer, 'url' | 'close'> = {
    issuer: 'tagline-test-issuer',
    service: 'tagline-test-registry',
    requests: [],
    settings: { field: 'both', expiresIn: 300, oauth: true },
    identityTokens: new Map(),
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    if (url.pathname !== '/token') { res.writeHead(404).end(); return; }
    let params = url.searchParams;
    if (req.method === 'POST') {
      if (!state.settings.oauth) { res.writeHead(404).end(); return; }
      let body = '';
      for await (const chunk of req) body += chunk;
      params = new URLSearchParams(body);
    }
    const deny = (body: object) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    let subject: string | undefined;
    if (req.method === 'POST' && params.get('grant_type') === 'refresh_token') {
      const user = state.identityTokens.get(params.get('refresh_token') ?? '');
      if (!user) { deny({ details: 'invalid refresh token' }); return; }
      subject = `identity:${user}`;
    } else {
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
      if (basic) {
        const decoded = Buffer.from(basic[1]!, 'base64').toString();
        const colon = decoded.indexOf(':');
        const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
        // The username `<token>` with an identity token as password is how docker sends identity tokens by GET.
        const identityUser = user === '<token>' ? state.identityTokens.get(password) : undefined;
        if (identityUser) subject = `identity:${identityUser}`;
        else if (options.users[user] === password) subject = user;
        else { deny({ details: 'incorrect username or password' }); return; }
      }
    }
    const scope = params.getAll('scope').join(' ');
    const service = params.get('service') ?? '';
    state.requests.push({ method: req.method ?? 'GET', scope, service, subject });
    const access = subject ? scope.split(' ').filter(Boolean).map(parseScope) : [];
    const now = Math.floor(Date.now() / 1000);
    const token = sign({ iss: state.issuer, sub: subject ?? '', aud: service, exp: now + state.settings.expiresIn, nbf: now - 10, iat: now, jti: randomUUID(), access });
    const body: Record<string, unknown> = { expires_in: state.settings.expiresIn, issued_at: new Date().toISOString() };
    if (state.settings.field !== 'access_token') body.token = token;
    if (state.settings.field !== 'token') body.access_token = token;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    // By name: ggcr refuses a realm that is a loopback address literal on another port than the registry's.
    url: `http://localhost:${port}/token`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
}
