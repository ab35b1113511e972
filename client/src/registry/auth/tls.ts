// certSecretRef → TLS settings, with fluxcd/pkg/runtime/secrets.TLSConfigFromSecret's exact errors.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext as tlsContext } from 'node:tls';
import { readFile } from 'node:fs/promises';
import type { WorkspaceObjects } from '../../../../common/model';
import { RegistryError } from '../contract';
import type { TlsSettings } from '../options';
import { requireSecret, secretValues } from './secrets';

function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

function validCa(pem: string): boolean {
  const blocks = pemBlocks(pem);
  if (blocks.length === 0) return false;
  try {
    for (const block of blocks) new X509Certificate(block);
    return true;
  } catch {
    return false;
  }
}

export function tlsFromSecret(objects: WorkspaceObjects, namespace: string, name: string): TlsSettings {
  const secret = requireSecret(objects, namespace, name);
  const values = secretValues(secret);
  const pick = (key: string, legacy: string) => values.get(key) ?? values.get(legacy);
  const cert = pick('tls.crt', 'certFile');
  const key = pick('tls.key', 'keyFile');
  const ca = pick('ca.crt', 'caFile');
  const id = `${namespace}/${name}`;
  if (cert !== undefined && key === undefined) throw new RegistryError(`secret '${id}' contains 'tls.crt' but missing 'tls.key'`);
  if (key !== undefined && cert === undefined) throw new RegistryError(`secret '${id}' contains 'tls.key' but missing 'tls.crt'`);
  if (cert === undefined && ca === undefined) throw new RegistryError(`secret '${id}' must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'`);
  const settings: TlsSettings = { extraCa: [] };
  if (cert !== undefined && key !== undefined) {
    try {
      createPrivateKey(key);
      tlsContext({ cert, key });
    } catch (error) {
      throw new RegistryError(`failed to parse TLS certificate and key: ${(error as Error).message}`);
    }
    settings.cert = cert;
    settings.key = key;
  }
  if (ca !== undefined) {
    if (!validCa(ca)) throw new RegistryError('failed to parse CA certificate');
    settings.extraCa.push(ca);
  }
  return settings;
}

/** CA files from the person's settings, added to the system roots like certSecretRef's CA. */
export async function caFromFiles(files: string[] | undefined): Promise<string[]> {
  const pems: string[] = [];
  for (const file of files ?? []) {
    let pem: string;
    try {
      pem = await readFile(file, 'utf8');
    } catch (error) {
      throw new RegistryError(`failed to read CA file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (!validCa(pem)) throw new RegistryError(`failed to parse CA certificate in ${file}`);
    pems.push(pem);
  }
  return pems;
}
