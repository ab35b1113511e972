// Small tmpfs mounts for tests that need a file system to fail for real: full (ENOSPC) or read-only (EROFS).
// Mounting needs root; without it the caller gets the reason to skip with.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A tmpfs of `size` (e.g. `256k`) on a new folder under `parent`, or why there cannot be one here. */
export function mountTmpfs(parent: string, size: string): { mount: string } | { skip: string } {
  if (process.getuid?.() !== 0) return { skip: 'mounting a tmpfs needs root' };
  const mount = mkdtempSync(join(parent, 'tmpfs-'));
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tagline-test', mount], { encoding: 'utf8' });
  if (result.status !== 0) return { skip: `mount -t tmpfs failed: ${(result.stderr || result.error?.message || '').trim()}` };
  return { mount };
}

export function unmount(mount: string): void {
  spawnSync('umount', ['-l', mount]);
}

/** `mount -o remount,ro|rw`. */
export function remount(mount: string, mode: 'ro' | 'rw'): void {
  const result = spawnSync('mount', ['-o', `remount,${mode}`, mount], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`remount ${mode} ${mount} failed: ${result.stderr}`);
}

/** Fills the file system holding `dir` to the last byte; returns the filler file (remove it to make room). */
export function fillFileSystem(dir: string): string {
  const filler = join(dir, 'filler');
  for (const size of [64 * 1024, 512]) {
    const fd = openSync(filler, 'a');
    try {
      for (;;) writeSync(fd, Buffer.alloc(size, 1));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      closeSync(fd);
    }
  }
  return filler;
}
