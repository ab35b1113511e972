// Paths of the kustomize module's in-memory file system: POSIX and absolute (Go js/wasm has no drive letters).
import { posix, sep } from 'node:path';

/** `C:\repo\a.yaml` → `/C:/repo/a.yaml`; POSIX paths stay as they are. */
export function modulePath(fsPath: string): string {
  if (sep === '/') return posix.normalize(fsPath);
  return posix.normalize('/' + fsPath.replace(/\\/g, '/'));
}
