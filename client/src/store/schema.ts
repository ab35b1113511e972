// The database layout and its migrations. `schema_version` holds one row; migration i upgrades version i to i+1.
import type { SqlDatabase } from './sqljs';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE schema_version (version INTEGER NOT NULL);
   INSERT INTO schema_version (version) VALUES (0);
   -- Raw listing per canonical image, before exclusion: shared by every object scanning that image.
   CREATE TABLE image_tags (canonical_name TEXT PRIMARY KEY, tags TEXT NOT NULL, updated_at INTEGER NOT NULL);
   -- Per object: its own filtered tags and status, so objects sharing an image keep their own exclusion results.
   CREATE TABLE object_results (
     key TEXT PRIMARY KEY, spec_hash TEXT NOT NULL, generation INTEGER NOT NULL,
     status TEXT NOT NULL, tags TEXT, updated_at INTEGER NOT NULL);
   -- cleared_at: rows older than a "clear database" in any process are dropped when files are merged.
   CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Per ImagePolicy: its last status (latestRef, observedPreviousRef, conditions), so a restart shows it unscanned.
  `CREATE TABLE policy_results (
     key TEXT PRIMARY KEY, spec_hash TEXT NOT NULL, generation INTEGER NOT NULL,
     status TEXT NOT NULL, updated_at INTEGER NOT NULL);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: SqlDatabase): number {
  const hasTable = db.exec(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`);
  if (hasTable.length === 0) return 0;
  const rows = db.exec('SELECT version FROM schema_version');
  return Number(rows[0]?.values[0]?.[0] ?? 0);
}

/** Brings `db` to SCHEMA_VERSION; returns false for a file written by a newer Tagline (left untouched). */
export function migrate(db: SqlDatabase): boolean {
  let version = schemaVersion(db);
  if (version > SCHEMA_VERSION) return false;
  while (version < SCHEMA_VERSION) {
    db.exec('BEGIN');
    try {
      db.exec(MIGRATIONS[version]);
      version++;
      db.run('UPDATE schema_version SET version = ?', [version]);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
  return true;
}
