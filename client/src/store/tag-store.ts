// The tag database: one SQLite file through sql.js, held in memory and written back atomically (temp file +
// rename), debounced. Before each write, under a lock file, a file another window changed is merged in
// (merge.ts): two windows writing the same file lose nothing. Only tags and Flux statuses are stored;
// credentials never reach this module. ImagePolicy statuses are kept beside the tags they were computed from.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ImagePolicyStatus, ImageRepositoryStatus } from '../../../common/model';
import { withFileLock } from './lock';
import { mergeOtherWindow, newestStamp } from './merge';
import { migrate } from './schema';
import { loadSqlJs, type SqlDatabase, type SqlJs } from './sqljs';
import { errorMessage } from '../../../common/errors';

export interface StoredObject {
  /** `namespace/name` */
  key: string;
  specHash: string;
  /** Our stand-in for metadata.generation: starts at 1, +1 whenever specHash changes. */
  generation: number;
  status: ImageRepositoryStatus;
  /** The filtered, sorted tags of the last successful scan of this object. */
  tags: string[] | null;
  updatedAt: number;
}

/** An ImagePolicy's last reconcile result, keyed `namespace/name` like objects (a separate table: the kinds share names). */
export interface StoredPolicy {
  key: string;
  specHash: string;
  generation: number;
  status: ImagePolicyStatus;
  updatedAt: number;
}

export interface TagStoreOptions {
  /** Database file; absent means in memory only. */
  file?: string;
  /** Path of sql-wasm.wasm, when not next to the bundle or in node_modules. */
  wasmPath?: string;
  /** Quiet time before a write reaches the disk. */
  debounceMs?: number;
  /** Longest a pending write waits while changes keep coming. */
  maxWaitMs?: number;
  /** First wait before a failed background write is tried again; it doubles up to a minute. Default 1 s. */
  retryBaseMs?: number;
  clock?: () => number;
}

const maxRetryMs = 60_000;

export class TagStore {
  /** Set when the file was unreadable and moved aside (`<file>.corrupt-<timestamp>`); its objects get rescanned. */
  recoveredFrom: string | undefined;
  /** Set when the file was written by a newer schema: it is read but never overwritten. */
  readOnlyReason: string | undefined;
  /** The last failed write, `cannot write the tag database <file>: <reason>`; cleared by a successful one. */
  lastWriteError: string | undefined;

  private timer: NodeJS.Timeout | undefined;
  private firstPendingAt = 0;
  private writing: Promise<void> = Promise.resolve();
  private lastStamp = 0;
  /**
   * Hash of the bytes this process last read or wrote. File identity (mtime, size, inode) is not enough: tmpfs
   * reuses inodes, page-sized files share a size and coarse clocks share an mtime, so another window's write
   * could pass for ours and be overwritten unmerged.
   */
  private onDiskHash: string | undefined;
  private closed = false;
  /** Set while a failed background write waits to be tried again. */
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = 0;
  private readonly writeListeners = new Set<(reason: string | undefined) => void>();
  /** Changes not yet on disk; a store that only read writes nothing (so reopening a full disk's file works). */
  private dirty = false;

  private constructor(
    private readonly sql: SqlJs,
    private db: SqlDatabase,
    private readonly options: TagStoreOptions,
  ) {}

  static async open(options: TagStoreOptions = {}): Promise<TagStore> {
    const sql = await loadSqlJs(options.wasmPath);
    const store = new TagStore(sql, new sql.Database(), options);
    if (options.file) {
      const file = options.file;
      await store.load(file).catch((err: unknown) => {
        throw new Error(`cannot open the tag database ${file}: ${errorMessage(err)}`);
      });
    } else {
      migrate(store.db);
    }
    return store;
  }

  get file(): string | undefined {
    return this.options.file;
  }

  imageTags(canonicalImageName: string): string[] | null {
    const row = this.one('SELECT tags FROM image_tags WHERE canonical_name = ?', [canonicalImageName]);
    return row ? (JSON.parse(String(row[0])) as string[]) : null;
  }

  setImageTags(canonicalImageName: string, tags: readonly string[]): void {
    this.db.run('INSERT OR REPLACE INTO image_tags (canonical_name, tags, updated_at) VALUES (?, ?, ?)', [
      canonicalImageName,
      JSON.stringify(tags),
      this.stamp(),
    ]);
    this.changed();
  }

  object(key: string): StoredObject | undefined {
    const row = this.one('SELECT key, spec_hash, generation, status, tags, updated_at FROM object_results WHERE key = ?', [key]);
    return row ? toStoredObject(row) : undefined;
  }

  objects(): StoredObject[] {
    const result = this.db.exec('SELECT key, spec_hash, generation, status, tags, updated_at FROM object_results ORDER BY key');
    return (result[0]?.values ?? []).map(toStoredObject);
  }

  /** `tags` undefined keeps the stored tags (a reconcile that did not scan). */
  putObject(record: Omit<StoredObject, 'updatedAt' | 'tags'> & { tags: string[] | null | undefined }): void {
    const tags = record.tags !== undefined ? record.tags : this.storedTags(record.key);
    this.db.run(
      'INSERT OR REPLACE INTO object_results (key, spec_hash, generation, status, tags, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      [record.key, record.specHash, record.generation, JSON.stringify(record.status), tags ? JSON.stringify(tags) : null, this.stamp()],
    );
    this.changed();
  }

  policy(key: string): StoredPolicy | undefined {
    const row = this.one('SELECT key, spec_hash, generation, status, updated_at FROM policy_results WHERE key = ?', [key]);
    return row ? {
      key: String(row[0]), specHash: String(row[1]), generation: Number(row[2]),
      status: JSON.parse(String(row[3])) as ImagePolicyStatus, updatedAt: Number(row[4]),
    } : undefined;
  }

  putPolicy(record: Omit<StoredPolicy, 'updatedAt'>): void {
    this.db.run(
      'INSERT OR REPLACE INTO policy_results (key, spec_hash, generation, status, updated_at) VALUES (?, ?, ?, ?, ?)',
      [record.key, record.specHash, record.generation, JSON.stringify(record.status), this.stamp()],
    );
    this.changed();
  }

  private storedTags(key: string): string[] | null {
    const row = this.one('SELECT tags FROM object_results WHERE key = ?', [key]);
    return row && row[0] !== null ? (JSON.parse(String(row[0])) as string[]) : null;
  }

  /** Forgets everything, here and (at the next write) in every process sharing the file. */
  clear(): void {
    const at = this.stamp();
    this.db.exec('DELETE FROM image_tags; DELETE FROM object_results; DELETE FROM policy_results;');
    this.db.run(`INSERT OR REPLACE INTO store_meta (key, value) VALUES ('cleared_at', ?)`, [String(at)]);
    this.changed();
  }

  /**
   * Tells `listener` when writing the file starts failing, with the reason (Node's text, e.g.
   * `ENOSPC: no space left on device, write`), again when the reason changes, and with `undefined` once a write
   * succeeds again. Until then, background writes are retried with backoff (1 s doubling to a minute) and every
   * change stays in memory; `flush()` and `close()` reject with the error.
   */
  onWriteFailure(listener: (reason: string | undefined) => void): { dispose(): void } {
    this.writeListeners.add(listener);
    return { dispose: () => this.writeListeners.delete(listener) };
  }

  /** Writes pending changes now. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.timer = undefined;
    this.retryTimer = undefined;
    this.firstPendingAt = 0;
    const file = this.options.file;
    if (!file || this.readOnlyReason) return this.writing.catch(() => undefined);
    const next = this.writing.catch(() => undefined).then(() => (this.dirty ? this.write(file) : undefined));
    this.writing = next;
    return next;
  }

  /** Writes what is pending and closes; rejects when that last write fails (the changes are then lost). */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.closed = true;
      this.db.close();
    }
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  /** A per-process increasing timestamp, so two writes in the same millisecond still order. */
  private stamp(): number {
    this.lastStamp = Math.max(this.now(), this.lastStamp + 1);
    return this.lastStamp;
  }

  private one(sql: string, params: (string | number)[]): unknown[] | undefined {
    const statement = this.db.prepare(sql);
    try {
      statement.bind(params);
      return statement.step() ? statement.get() : undefined;
    } finally {
      statement.free();
    }
  }

  private changed(): void {
    this.dirty = true;
    if (!this.options.file || this.closed) return;
    const debounce = this.options.debounceMs ?? 300;
    const maxWait = this.options.maxWaitMs ?? 2000;
    const now = Date.now();
    // A failed write is already waiting to be tried again, with this change in it.
    if (this.retryTimer) return;
    if (!this.firstPendingAt) this.firstPendingAt = now;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(debounce, this.firstPendingAt + maxWait - now));
    this.timer = setTimeout(() => this.backgroundFlush(), delay);
  }

  /** A write nobody awaits: on failure it is tried again later, and listeners hear about it. */
  private backgroundFlush(): void {
    this.flush().catch(() => {
      if (this.closed) return;
      this.retryMs = this.retryMs === 0 ? this.options.retryBaseMs ?? 1000 : Math.min(this.retryMs * 2, maxRetryMs);
      this.retryTimer = setTimeout(() => { this.retryTimer = undefined; this.backgroundFlush(); }, this.retryMs);
    });
  }

  private async load(file: string): Promise<void> {
    mkdirSync(dirname(file), { recursive: true });
    const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (bytes && bytes.length > 0) {
      const opened = this.openBytes(bytes);
      if (opened) {
        this.db.close();
        this.db = opened;
        this.onDiskHash = contentHash(bytes);
      } else {
        this.recoveredFrom = await moveAside(file);
      }
    }
    if (!migrate(this.db)) this.readOnlyReason = `${file} was written by a newer Tagline (schema too new); changes stay in memory`;
    this.lastStamp = Math.max(this.lastStamp, newestStamp(this.db));
  }

  /** A database from file bytes, or undefined when they are not a healthy SQLite file. */
  private openBytes(bytes: Uint8Array): SqlDatabase | undefined {
    let db: SqlDatabase | undefined;
    try {
      db = new this.sql.Database(bytes);
      const check = db.exec('PRAGMA quick_check');
      if (check[0]?.values[0]?.[0] !== 'ok') throw new Error('quick_check failed');
      db.exec('SELECT count(*) FROM sqlite_master');
      return db;
    } catch {
      db?.close();
      return undefined;
    }
  }

  private async write(file: string): Promise<void> {
    this.dirty = false;
    try {
      await this.writeMerged(file);
    } catch (err) {
      this.dirty = true;
      const reason = errorMessage(err);
      const changed = this.lastWriteError !== `cannot write the tag database ${file}: ${reason}`;
      this.lastWriteError = `cannot write the tag database ${file}: ${reason}`;
      if (changed) for (const listener of this.writeListeners) listener(reason);
      throw new Error(this.lastWriteError);
    }
    this.retryMs = 0;
    if (this.lastWriteError !== undefined) {
      this.lastWriteError = undefined;
      for (const listener of this.writeListeners) listener(undefined);
    }
  }

  private async writeMerged(file: string): Promise<void> {
    await withFileLock(`${file}.lock`, async () => {
      const current = await readFile(file).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (current && current.length > 0 && contentHash(current) !== this.onDiskHash) await this.mergeFromDisk(file, current);
      const data = this.db.export();
      const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await writeFile(temp, data);
        await rename(temp, file);
      } catch (err) {
        await unlink(temp).catch(() => undefined);
        throw err;
      }
      this.onDiskHash = contentHash(data);
    });
  }

  /** Takes every row another process wrote after ours; a "clear" newer than a row drops it. */
  private async mergeFromDisk(file: string, bytes: Uint8Array): Promise<void> {
    const theirs = this.openBytes(bytes);
    if (!theirs) {
      this.recoveredFrom = await moveAside(file);
      return;
    }
    try {
      if (!migrate(theirs)) return;
      this.lastStamp = Math.max(this.lastStamp, mergeOtherWindow(this.db, theirs));
    } finally {
      theirs.close();
    }
  }
}

function toStoredObject(row: unknown[]): StoredObject {
  return {
    key: String(row[0]),
    specHash: String(row[1]),
    generation: Number(row[2]),
    status: JSON.parse(String(row[3])) as ImageRepositoryStatus,
    tags: row[4] === null ? null : (JSON.parse(String(row[4])) as string[]),
    updatedAt: Number(row[5]),
  };
}

function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function moveAside(file: string): Promise<string> {
  const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(file, aside);
  return aside;
}
