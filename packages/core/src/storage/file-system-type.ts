import { statfsSync } from 'node:fs';
import { SnapsyncError } from '../errors.js';

/**
 * Magic numbers statfs(2) reports for network and shared file systems, on which SQLite's
 * locking is unreliable (Aspera refuses them for the snapshot DB for the same reason).
 */
const NETWORK_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x6969, 'NFS'],
  [0x517b, 'SMB'],
  [0xfe534d42, 'SMB2'],
  [0xff534d42, 'CIFS'],
  [0x564c, 'NCP'],
  [0x5346414f, 'AFS'],
  [0x73757245, 'Coda'],
  [0x00c36400, 'CephFS'],
  [0x01161970, 'GlusterFS'],
  [0x0bd00bd0, 'Lustre'],
]);

/** networkFileSystemName names the network file system a statfs type denotes, if it is one. */
export function networkFileSystemName(statfsType: number): string | undefined {
  return NETWORK_FILE_SYSTEMS.get(statfsType >>> 0);
}

/** statfsTypeOf reads a directory's file system type; undefined where statfs is not supported. */
export function statfsTypeOf(dir: string): number | undefined {
  try {
    return statfsSync(dir).type;
  } catch {
    return undefined;
  }
}

/** assertLocalFileSystem refuses a snapshot DB directory on a network file system. */
export function assertLocalFileSystem(dir: string, typeOf: (dir: string) => number | undefined = statfsTypeOf): void {
  const type = typeOf(dir);
  const name = type === undefined ? undefined : networkFileSystemName(type);
  if (name !== undefined) {
    throw new SnapsyncError('DB_ON_NETWORK_FS',
      `snapshot DB directory ${dir} is on a network file system (${name}); choose a local disk with -b/-B`);
  }
}
