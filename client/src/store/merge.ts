// Merging another window's copy of the tag database into ours, row by row (tags, ImageRepository and ImagePolicy results): the newest `updated_at` wins, and a
// "clear" (`store_meta.cleared_at`) drops every row written before it, in either copy.
import type { SqlDatabase } from './sqljs';

/**
 * Takes every row of `theirs` written after ours into `ours`, in one transaction; both must be at the current
 * schema. Returns the newest `updated_at` of their rows in either table (0 when none), so our stamps stay above it.
 */
export function mergeOtherWindow(ours: SqlDatabase, theirs: SqlDatabase): number {
  const theirClear = Number(theirs.exec(`SELECT value FROM store_meta WHERE key = 'cleared_at'`)[0]?.values[0]?.[0] ?? 0);
  const ourClear = Number(ours.exec(`SELECT value FROM store_meta WHERE key = 'cleared_at'`)[0]?.values[0]?.[0] ?? 0);
  const clearedAt = Math.max(theirClear, ourClear);
  ours.exec('BEGIN');
  if (theirClear > ourClear) {
    ours.run('DELETE FROM image_tags WHERE updated_at <= ?', [clearedAt]);
    ours.run('DELETE FROM object_results WHERE updated_at <= ?', [clearedAt]);
    ours.run('DELETE FROM policy_results WHERE updated_at <= ?', [clearedAt]);
    ours.run(`INSERT OR REPLACE INTO store_meta (key, value) VALUES ('cleared_at', ?)`, [String(clearedAt)]);
  }
  mergeTable(theirs, ours, 'image_tags', 'canonical_name', ['canonical_name', 'tags', 'updated_at'], clearedAt);
  mergeTable(theirs, ours, 'object_results', 'key', ['key', 'spec_hash', 'generation', 'status', 'tags', 'updated_at'], clearedAt);
  mergeTable(theirs, ours, 'policy_results', 'key', ['key', 'spec_hash', 'generation', 'status', 'updated_at'], clearedAt);
  ours.exec('COMMIT');
  return newestStamp(theirs);
}

/** The newest `updated_at` of either table: a store's next stamp must order after every row it has seen. */
export function newestStamp(db: SqlDatabase): number {
  const rows = db.exec('SELECT MAX(updated_at) FROM object_results UNION ALL SELECT MAX(updated_at) FROM image_tags '
    + 'UNION ALL SELECT MAX(updated_at) FROM policy_results')[0]?.values ?? [];
  return Math.max(0, ...rows.map((row) => Number(row[0] ?? 0)));
}

function mergeTable(from: SqlDatabase, to: SqlDatabase, table: string, keyColumn: string, columns: string[], clearedAt: number): void {
  const select = from.prepare(`SELECT ${columns.join(', ')} FROM ${table} WHERE updated_at > ?`);
  const ours = to.prepare(`SELECT updated_at FROM ${table} WHERE ${keyColumn} = ?`);
  const upsert = to.prepare(`INSERT OR REPLACE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  try {
    select.bind([clearedAt]);
    while (select.step()) {
      const row = select.get();
      const theirStamp = Number(row[columns.length - 1]);
      ours.bind([row[0]]);
      const ourStamp = ours.step() ? Number(ours.get()[0]) : -1;
      ours.reset();
      if (theirStamp > ourStamp) upsert.run(row);
    }
  } finally {
    select.free();
    ours.free();
    upsert.free();
  }
}
