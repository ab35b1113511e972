// Test PKI made with openssl, once per process: a CA, a server certificate for 127.0.0.1/localhost, a client
// certificate for mTLS, a self-signed "rogue" pair, and the RSA pair the token server signs JWTs with.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempFolder, run } from './processes';

export interface TestPki {
  folder: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  rogueCert: string;
  rogueKey: string;
  /** Signed by the CA for serverAuth, but for the name `other.invalid` only: for hostname-check tests. */
  otherCert: string;
  otherKey: string;
  /** Signed by the CA for 127.0.0.1, but expired a day before it was issued (`-days -1`). */
  expiredCert: string;
  expiredKey: string;
  /** Self-signed RS256 signing pair; distribution verifies the JWT's x5c against this very certificate. */
  tokenCert: string;
  tokenKey: string;
  /** File paths of the above, for registry configs. */
  files: Record<'ca' | 'serverCert' | 'serverKey' | 'tokenCert', string>;
}

let cached: TestPki | undefined;

export function testPki(): TestPki {
  if (cached) return cached;
  const folder = makeTempFolder('tagline-pki-');
  const ssl = (...args: string[]) => run('openssl', args, { cwd: folder });
  // EC keys: an order of magnitude faster to make than RSA, and Go's TLS and Node's both accept them.
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=Tagline test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const signed = (name: string, subject: string, extensions: string, days = '30') => {
    ssl('req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(join(folder, `${name}.ext`), extensions);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.crt`, '-days', days, '-extfile', `${name}.ext`);
  };
  signed('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  signed('other', '/CN=other.invalid', 'subjectAltName=DNS:other.invalid\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  signed('expired', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n', '-1');
  signed('client', '/CN=tagline-test-client', 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
  ssl('req', '-x509', ...ecKey, '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '30', '-subj', '/CN=rogue');
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'token.key', '-out', 'token.crt', '-days', '30',
    '-subj', '/CN=tagline-test-token-issuer');
  const read = (file: string) => readFileSync(join(folder, file), 'utf8');
  cached = {
    folder,
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    rogueCert: read('rogue.crt'),
    rogueKey: read('rogue.key'),
    otherCert: read('other.crt'),
    otherKey: read('other.key'),
    expiredCert: read('expired.crt'),
    expiredKey: read('expired.key'),
    tokenCert: read('token.crt'),
    tokenKey: read('token.key'),
    files: {
      ca: join(folder, 'ca.crt'),
      serverCert: join(folder, 'server.crt'),
      serverKey: join(folder, 'server.key'),
      tokenCert: join(folder, 'token.crt'),
    },
  };
  return cached;
}
