// proxySecretRef → proxy settings, with fluxcd/pkg/runtime/secrets.ProxyURLFromSecret's exact errors.
import type { WorkspaceObjects } from '../../../../common/model';
import { RegistryError } from '../contract';
import type { ProxySettings } from '../options';
import { requireSecret, secretValues } from './secrets';

export function proxyFromSecret(objects: WorkspaceObjects, namespace: string, name: string): ProxySettings {
  const values = secretValues(requireSecret(objects, namespace, name));
  const id = `${namespace}/${name}`;
  const address = values.get('address');
  if (address === undefined) throw new RegistryError(`secret '${id}': key 'address' not found`);
  if (address === '') throw new RegistryError(`secret '${id}': proxy address is empty`);
  if (address.length > 2048) throw new RegistryError('proxy URL exceeds maximum length of 2048 characters');
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new RegistryError(`secret '${id}': failed to parse proxy address '${address}'`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!['http', 'https', 'socks5'].includes(scheme)) {
    throw new RegistryError(`secret '${id}': proxy URL must use one of the supported schemes (http, https, socks5), got '${scheme}'`);
  }
  // Credentials in the address itself are replaced by the Secret's keys when present, as the controller does.
  const username = values.get('username') ?? (url.username ? decodeURIComponent(url.username) : undefined);
  const password = values.get('username') !== undefined ? values.get('password') : (url.password ? decodeURIComponent(url.password) : undefined);
  url.username = '';
  url.password = '';
  return { url: url.toString(), username: username || undefined, password: username ? password : undefined };
}
