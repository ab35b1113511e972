// A lock file beside the database, so two processes (two VS Code windows, an editor and the CLI) take turns
// at read-merge-write. A lock left by a dead process, or older than any flush could take, is broken.
import { open, readFile, stat, unlink } from 'node:fs/promises';

export interface LockLimits {
  /** A lock file older than this is broken whoever holds it (no flush takes that long). */
  staleMs: number;
  /** How long to wait for a live holder before failing. */
  giveUpMs: number;
}

const defaultLimits: LockLimits = { staleMs: 30_000, giveUpMs: 20_000 };
const RETRY_MS = 15;

/**
 * Runs `fn` holding `lockPath` (created with O_EXCL, holding our pid). A lock whose pid is dead or whose file is
 * older than `staleMs` is broken; a live one is waited for, up to `giveUpMs`, then this rejects with
 * `database lock <path> is held by another process`. Other file errors (EACCES, ENOSPC, …) reject at once.
 */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, limits: LockLimits = defaultLimits): Promise<T> {
  await acquire(lockPath, limits);
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function acquire(lockPath: string, limits: LockLimits): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n`);
      } catch (err) {
        // A full disk can take the inode but not the pid: an empty lock would look "still being written" forever.
        await handle.close().catch(() => undefined);
        await unlink(lockPath).catch(() => undefined);
        throw err;
      }
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isStale(lockPath, limits.staleMs)) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() - started > limits.giveUpMs) throw new Error(`database lock ${lockPath} is held by another process`);
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const [info, text] = await Promise.all([stat(lockPath), readFile(lockPath, 'utf8')]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const pid = Number.parseInt(text, 10);
    if (!Number.isInteger(pid) || pid <= 0) return false; // still being written
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    return false;
  }
}
