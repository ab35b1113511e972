// "Sign in to a registry" / "Sign out": credentials into SecretStorage only, never logged.
import * as vscode from 'vscode';
import { normalise, type SignIns } from '../host/signIns';
import type { TaglineState } from '../host/state';

export async function signIn(signIns: SignIns, state: TaglineState, registryArg?: unknown): Promise<string | undefined> {
  const known = [...new Set(state.all().map((v) => (v.status?.canonicalImageName ?? v.object.spec.image).split('/')[0]))].sort();
  let registry = typeof registryArg === 'string' ? registryArg : undefined;
  if (!registry) {
    registry = await vscode.window.showInputBox({
      title: 'Sign in to a registry (1/3)',
      prompt: `Registry host${known.length ? ` — in this workspace: ${known.join(', ')}` : ''}`,
      value: known[0] ?? '',
      validateInput: (v) => (/^[^\s/]+$/.test(normalise(v)) && normalise(v) !== '' ? undefined : 'a host name, e.g. ghcr.io or 127.0.0.1:5000'),
      ignoreFocusOut: true,
    });
  }
  if (!registry) return undefined;
  const host = normalise(registry);
  const username = await vscode.window.showInputBox({ title: `Sign in to ${host} (2/3)`, prompt: 'Username', ignoreFocusOut: true });
  if (!username) return undefined;
  const password = await vscode.window.showInputBox({
    title: `Sign in to ${host} (3/3)`,
    prompt: 'Password or access token (stored in VS Code SecretStorage)',
    password: true,
    ignoreFocusOut: true,
  });
  if (password === undefined) return undefined;
  await signIns.store(host, { username, password });
  void vscode.window.showInformationMessage(`Signed in to ${host} as ${username}. Workspace Secrets and the local docker config still take precedence.`);
  return host;
}

export async function signOut(signIns: SignIns, registryArg?: unknown): Promise<string | undefined> {
  const registries = signIns.registries();
  const host = typeof registryArg === 'string' ? normalise(registryArg)
    : await vscode.window.showQuickPick(registries, { placeHolder: registries.length ? 'Sign out of which registry?' : 'Not signed in to any registry' });
  if (!host) return undefined;
  await signIns.remove(host);
  return host;
}
