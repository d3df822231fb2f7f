/**
 * Schema steps of the snapshot DB, in order. Step i brings PRAGMA user_version from i to i+1;
 * a released step is never edited, only followed by a new one (docs/snapshot-db.md).
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE session (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     name TEXT NOT NULL,
     side TEXT NOT NULL CHECK (side IN ('initiator', 'reactor')),
     local_dir TEXT NOT NULL,
     remote_host TEXT NOT NULL,
     remote_dir TEXT NOT NULL,
     direction TEXT NOT NULL CHECK (direction IN ('push', 'pull', 'bidi')),
     checksum TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     start_time INTEGER,
     stop_time INTEGER,
     condition TEXT NOT NULL DEFAULT 'stopped',
     startup_complete INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE files (
     path TEXT PRIMARY KEY NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('file', 'dir', 'symlink')),
     size INTEGER NOT NULL DEFAULT 0,
     mtime_us INTEGER NOT NULL DEFAULT 0,
     mode INTEGER NOT NULL DEFAULT 0,
     ino INTEGER NOT NULL DEFAULT 0,
     checksum BLOB,
     link_target TEXT,
     state TEXT NOT NULL CHECK (state IN ('synchronized', 'pending', 'conflict', 'error')),
     message TEXT,
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE scan (
     path TEXT PRIMARY KEY NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('file', 'dir', 'symlink')),
     size INTEGER NOT NULL,
     mtime_us INTEGER NOT NULL,
     mode INTEGER NOT NULL,
     ino INTEGER NOT NULL,
     checksum BLOB,
     link_target TEXT
   ) WITHOUT ROWID;
   CREATE INDEX files_checksum ON files (checksum, size);
   CREATE TABLE problems (
     path TEXT PRIMARY KEY NOT NULL,
     outcome TEXT NOT NULL CHECK (outcome IN ('skipped', 'conflict', 'error')),
     message TEXT NOT NULL,
     at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX files_state ON files (state);`,
  // Owners (-u, -j): NULL where a run did not track them, so turning the flags off changes nothing.
  `ALTER TABLE files ADD COLUMN uid INTEGER;
   ALTER TABLE files ADD COLUMN gid INTEGER;
   ALTER TABLE scan ADD COLUMN uid INTEGER;
   ALTER TABLE scan ADD COLUMN gid INTEGER;`,
  // Only snapsync-admin -s groups by state, rarely and fine without it; every record paid for it
  // (a third of the cost of recording a synced path).
  `DROP INDEX files_state;`,
  // Bidirectional runs: scan.held marks what one pass leaves to the next (1: a conflict, not
  // sent; 2: to be sent even if unchanged, e.g. a kept loser); session.generation is the id
  // both ends record at the end of a complete run, so a mismatch shows at start-up.
  // journal (bidirectional sessions) keeps each path's files row as it was before the run first
  // changed it (existed = 0: there was none), so a run that did not finish is rolled back and
  // both ends' last syncs agree again.
  `ALTER TABLE scan ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE session ADD COLUMN generation TEXT;
   CREATE TABLE journal (
     path TEXT PRIMARY KEY NOT NULL,
     existed INTEGER NOT NULL,
     kind TEXT, size INTEGER, mtime_us INTEGER, mode INTEGER, ino INTEGER, checksum BLOB, link_target TEXT,
     uid INTEGER, gid INTEGER, state TEXT, message TEXT, updated_at INTEGER
   ) WITHOUT ROWID;`,
  // live (continuous sessions): the running process's state, one row, rewritten as it changes,
  // for snapsync-admin to read while the session runs (WAL: readers never block it).
  `CREATE TABLE live (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     pid INTEGER NOT NULL, host TEXT NOT NULL, state TEXT NOT NULL,
     pending INTEGER NOT NULL, in_flight_bytes INTEGER NOT NULL, cycles INTEGER NOT NULL,
     last_sync_at INTEGER, last_cycle_ms INTEGER, files INTEGER NOT NULL, bytes INTEGER NOT NULL,
     errors INTEGER NOT NULL, conflicts INTEGER NOT NULL, message TEXT NOT NULL,
     started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
   );`,
  // startup (two-phase start-up): the token of the start-up that made, or last started over,
  // this DB, written before start-up completes. A side whose peer was killed before completing
  // that same start-up finds the token and starts over instead of refusing (docs/snapshot-db.md).
  `CREATE TABLE startup (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     token TEXT NOT NULL
   );`,
  // --dedup inode: a new name of an inode finds the synced name it shares it with (Diff.syncedTwin).
  `CREATE INDEX files_ino ON files (ino);`,
  // Extended attributes and ACLs (--preserve-xattrs, --preserve-acls): the tracked names and
  // values as one blob (model/xattrs.ts); NULL where a run did not track them.
  `ALTER TABLE files ADD COLUMN xattrs BLOB;
   ALTER TABLE scan ADD COLUMN xattrs BLOB;
   ALTER TABLE journal ADD COLUMN xattrs BLOB;`,
];

/** SCHEMA_VERSION is the user_version a DB has after every migration. */
export const SCHEMA_VERSION = MIGRATIONS.length;
