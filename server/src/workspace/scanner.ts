// Indexes the YAML files of the workspace folders that are not open, and keeps them current from
// `workspace/didChangeWatchedFiles`.
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findManifestFiles, isYamlPath, parseManifestText } from '../../../common/manifests';
import type { WorkspaceIndex } from './index';

/** Files larger than this are not indexed from disk (generated bundles, vendored charts). */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

export async function indexFile(index: WorkspaceIndex, uri: string): Promise<void> {
  if (!uri.startsWith('file:') || !isYamlPath(uri)) return;
  try {
    const text = await readFile(fileURLToPath(uri), 'utf8');
    index.setDisk(uri, text.length > MAX_FILE_BYTES ? undefined : parseManifestText(uri, text));
  } catch {
    // Deleted or unreadable between the event and the read: it is simply not part of the workspace any more.
    index.setDisk(uri, undefined);
  }
}

export async function indexFolders(index: WorkspaceIndex, folderUris: string[]): Promise<number> {
  const folders = folderUris.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
  if (folders.length === 0) return 0;
  const files = await findManifestFiles(folders).catch(() => [] as string[]);
  // A few at a time: a big repository must not hold the server's event loop for long.
  const queue = files.map((f) => pathToFileURL(f).href);
  const workers = Array.from({ length: 8 }, async () => {
    for (let uri = queue.shift(); uri; uri = queue.shift()) await indexFile(index, uri);
  });
  await Promise.all(workers);
  return files.length;
}
