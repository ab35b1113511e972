// Paths of the kustomize module's in-memory file system: POSIX and absolute (Go js/wasm has no drive letters).
//
// kustomize's in-memory file system (sigs.k8s.io/kustomize/kyaml filesys/fsnode.go, isLegalFileNameForCreation)
// creates only files and folders whose names match `^[a-zA-Z0-9-_.:]+$`: a workspace under `My Projects/` or
// `team+infra/`, or a file named `app@2.yaml`, could not be written into it at all. Each other byte of a name is
// written as `:` and two lowercase hex digits (UTF-8), and `:` itself as `:3a`, so the mapping stays one-to-one.
import { posix, sep } from 'node:path';

const LEGAL = /^[a-zA-Z0-9\-_.]$/;

function encodeName(name: string): string {
  if (/^[a-zA-Z0-9\-_.]*$/.test(name)) return name;
  let out = '';
  for (const char of name) {
    if (LEGAL.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `:${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** `C:\repo\a.yaml` → `/C:3a/repo/a.yaml`; `/home/me/My Projects/a.yaml` → `/home/me/My:20Projects/a.yaml`. */
export function modulePath(fsPath: string): string {
  const posixPath = sep === '/' ? posix.normalize(fsPath) : posix.normalize('/' + fsPath.replace(/\\/g, '/'));
  return posixPath.split('/').map(encodeName).join('/');
}

/** Module paths in a text (kustomize's error messages, root labels) written back as the names on disk. */
export function hostText(text: string): string {
  return text.replace(/(?::[0-9a-f]{2})+/g, (run) => {
    const decoded = Buffer.from(run.replace(/:/g, ''), 'hex').toString('utf8');
    // Only what modulePath writes: bytes of characters it must escape, and whole UTF-8 sequences.
    return [...decoded].some((c) => LEGAL.test(c) || c === '\uFFFD') ? run : decoded;
  });
}
