import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The fs-xattr calls the tests use to lay out and read attributes (snapsync's own optional dependency). */
const xattr = createRequire(import.meta.url)('fs-xattr') as {
  listAttributesSync(path: string): string[];
  getAttributeSync(path: string, name: string): Buffer;
  setAttributeSync(path: string, name: string, value: Buffer): void;
  removeAttributeSync(path: string, name: string): void;
};

/** setXattr sets one attribute of root/path (a string value as UTF-8). */
export function setXattr(root: string, path: string, name: string, value: string | Buffer): void {
  xattr.setAttributeSync(join(root, path), name, typeof value === 'string' ? Buffer.from(value) : value);
}

export function removeXattr(root: string, path: string, name: string): void {
  xattr.removeAttributeSync(join(root, path), name);
}

/** xattrsOf lists root/path's attributes as name → value (UTF-8, or hex for an ACL), sorted by name. */
export function xattrsOf(root: string, path: string): Record<string, string> {
  const full = join(root, path);
  return Object.fromEntries(xattr.listAttributesSync(full).sort().map((name) => {
    const value = xattr.getAttributeSync(full, name);
    return [name, name.startsWith('system.posix_acl_') ? `acl:${value.toString('hex')}` : value.toString('utf8')];
  }));
}

/**
 * aclBlob is a POSIX ACL as Linux keeps it in system.posix_acl_access (the kernel's xattr
 * form, what setfacl writes): owner rw-, user `uid` r--, group r--, mask r--, other ---.
 * Written without setfacl, which a bare machine lacks.
 */
export function aclBlob(uid: number): Buffer {
  const entries: Array<[number, number, number]> = [
    [0x01, 6, 0xffff_ffff], [0x02, 4, uid], [0x04, 4, 0xffff_ffff], [0x10, 4, 0xffff_ffff], [0x20, 0, 0xffff_ffff],
  ];
  const blob = Buffer.alloc(4 + entries.length * 8);
  blob.writeUInt32LE(2, 0);
  entries.forEach(([tag, perm, id], i) => {
    blob.writeUInt16LE(tag, 4 + i * 8);
    blob.writeUInt16LE(perm, 6 + i * 8);
    blob.writeUInt32LE(id, 8 + i * 8);
  });
  return blob;
}
