// Reads manifests from disk: files or folders, recursively, as `tagline check` and `tagline scan` need them.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WorkspaceObjects } from '../model';
import { parseManifestText, type ParsedManifest } from './parse';

const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);

export function isYamlPath(path: string): boolean {
  return YAML_EXTENSIONS.has(extname(path).toLowerCase());
}

/** node_modules and dot-folders (.git, .vscode, …) hold no manifests of the user's. */
function skipFolder(name: string): boolean {
  return name === 'node_modules' || name.startsWith('.');
}

async function walk(folder: string, out: string[]): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!skipFolder(entry.name)) await walk(path, out);
    } else if (entry.isFile() && isYamlPath(entry.name)) {
      out.push(path);
    }
  }
}

/** Every YAML file named or under a named folder; a named file is taken whatever its extension. */
export async function findManifestFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const given of paths) {
    const path = resolve(given);
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new Error(`no such file or folder: ${given}`);
    if (info.isDirectory()) await walk(path, files);
    else files.push(path);
  }
  return [...new Set(files)];
}

export interface LoadedManifest { path: string; text: string; manifest: ParsedManifest }

export async function loadManifests(paths: string[]): Promise<LoadedManifest[]> {
  const files = await findManifestFiles(paths);
  return Promise.all(files.map(async (path) => {
    const text = await readFile(path, 'utf8');
    return { path, text, manifest: parseManifestText(pathToFileURL(path).href, text) };
  }));
}

export function mergeObjects(manifests: ParsedManifest[]): WorkspaceObjects {
  const objects: WorkspaceObjects = { imageRepositories: [], secrets: [], serviceAccounts: [], imagePolicies: [], namespaces: [] };
  for (const manifest of manifests) {
    objects.imageRepositories.push(...manifest.objects.imageRepositories);
    objects.secrets.push(...manifest.objects.secrets);
    objects.serviceAccounts.push(...manifest.objects.serviceAccounts);
    if (manifest.objects.skipped) (objects.skipped ??= []).push(...manifest.objects.skipped);
    objects.imagePolicies!.push(...(manifest.objects.imagePolicies ?? []));
    objects.namespaces!.push(...(manifest.objects.namespaces ?? []));
  }
  return objects;
}

export async function loadWorkspaceObjects(paths: string[]): Promise<{ objects: WorkspaceObjects; files: string[] }> {
  const loaded = await loadManifests(paths);
  return { objects: mergeObjects(loaded.map((l) => l.manifest)), files: loaded.map((l) => l.path) };
}
