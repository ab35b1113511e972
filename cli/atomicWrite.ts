// Files written whole or not at all: the new text goes to a temporary file in the same folder (so the rename
// stays on one file system), is flushed to disk, takes the old file's mode, and replaces the file by rename(2),
// which POSIX makes atomic. Any failure on the way removes the temporary file and leaves the old file as it was.
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path`'s content with `text` (UTF-8) atomically. Throws Node's error for the step that failed; the
 * file is then unchanged and no temporary file is left behind (unless the process itself is killed, when a
 * `.<name>.tagline-*` file may remain beside an unchanged original).
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const mode = (await stat(path).catch(() => undefined))?.mode;
  const temp = join(dirname(path), `.${basename(path)}.tagline-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(temp, 'wx', mode !== undefined ? mode & 0o7777 : 0o644);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
