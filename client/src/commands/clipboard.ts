import * as vscode from 'vscode';
import type { TaglineState } from '../host/state';
import { resolveRepository } from './targets';

/** A tag from a tree node, a hover link (`{tag}` or the plain string) or, failing that, a pick from latestTags. */
export async function copyTag(arg: unknown, state: TaglineState): Promise<string | undefined> {
  let tag: string | undefined;
  if (typeof arg === 'string') tag = arg;
  else if (Array.isArray(arg) && typeof arg[0] === 'string') tag = arg[0];
  else if (arg && typeof arg === 'object' && typeof (arg as { tag?: unknown }).tag === 'string') tag = (arg as { tag: string }).tag;
  if (!tag) {
    const key = await resolveRepository(arg, state, 'Copy a tag of which ImageRepository?');
    const tags = (key && state.get(key)?.status?.lastScanResult?.latestTags) || [];
    if (tags.length === 0) return undefined;
    tag = await vscode.window.showQuickPick(tags, { placeHolder: 'latestTags' });
  }
  if (!tag) return undefined;
  await vscode.env.clipboard.writeText(tag);
  vscode.window.setStatusBarMessage(`Copied tag ${tag}`, 3000);
  return tag;
}

export async function copyCanonicalName(arg: unknown, state: TaglineState): Promise<string | undefined> {
  const key = await resolveRepository(arg, state, 'Copy the canonical image name of which ImageRepository?');
  if (!key) return undefined;
  const name = state.get(key)?.status?.canonicalImageName;
  if (!name) {
    void vscode.window.showInformationMessage(`${key} has no canonical image name yet: it is set by a successful reconcile.`);
    return undefined;
  }
  await vscode.env.clipboard.writeText(name);
  vscode.window.setStatusBarMessage(`Copied ${name}`, 3000);
  return name;
}
