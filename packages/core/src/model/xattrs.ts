/**
 * Extended attributes and POSIX ACLs (--preserve-xattrs, --preserve-acls) travel as one blob per
 * path: a format byte (1), then the tracked names, sorted, each as [u16 BE name length][name,
 * UTF-8][u32 BE value length][value]. The format byte keeps "tracked, none set" a non-empty
 * blob, which no SQLite binding can take for NULL (not tracked). The same bytes go in the snapshot DB (the `xattrs` column) and on the wire
 * (Entry.xattrs), so two sides compare them byte for byte. On Linux a POSIX ACL is an xattr
 * (`system.posix_acl_access`, `system.posix_acl_default`), so one layer carries both.
 */

/** MetadataMode is how one side holds xattrs or ACLs (Aspera's native|metafile|none). */
export type MetadataMode = 'native' | 'metafile' | 'none';

export const METADATA_MODES: readonly MetadataMode[] = ['native', 'metafile', 'none'];

/** XattrScope says which names a session carries: xattrs (all but the ACL names), ACLs, or both. */
export interface XattrScope {
  readonly xattrs: boolean;
  readonly acls: boolean;
  /** metafile, when set, is where this side keeps them (platform/metafile.ts) instead of in the file system. */
  readonly metafile?: { readonly root: string; readonly privateDirName: string };
}

/** SideModes are how each end of a session holds one kind (--preserve-x and --remote-preserve-x). */
export interface SideModes {
  readonly initiator: MetadataMode;
  readonly reactor: MetadataMode;
}

/** MetadataModes are a run's --preserve-xattrs and --preserve-acls, local and remote. */
export interface MetadataModes {
  readonly xattrs: SideModes;
  readonly acls: SideModes;
}

/**
 * scopeOf is what a run carries: a kind travels only when neither end says none (one side
 * that keeps none has nothing to send, nor anywhere to put what it would receive).
 */
export function scopeOf(modes: MetadataModes | undefined): XattrScope | undefined {
  if (modes === undefined) return undefined;
  const carried = (sides: SideModes): boolean => sides.initiator !== 'none' && sides.reactor !== 'none';
  const scope = { xattrs: carried(modes.xattrs), acls: carried(modes.acls) };
  return tracksAny(scope) ? scope : undefined;
}

/**
 * keptIn is how one side keeps what a run carries: metafile where the side keeps either kind
 * carried in one (command-line checks make a side's two kinds agree), else natively.
 */
export function keptIn(modes: MetadataModes, side: keyof SideModes): MetadataMode {
  const scope = scopeOf(modes);
  const metafile = (scope?.xattrs === true && modes.xattrs[side] === 'metafile') || (scope?.acls === true && modes.acls[side] === 'metafile');
  return metafile ? 'metafile' : 'native';
}

/** ACL_NAMES are the xattrs that hold a POSIX ACL on Linux. */
export const ACL_NAMES: ReadonlySet<string> = new Set(['system.posix_acl_access', 'system.posix_acl_default']);

/** MAX_XATTR_BYTES bounds one path's blob: a path above it is reported, its attributes not carried. */
export const MAX_XATTR_BYTES = 64 * 1024;

/** XattrPair is one attribute. */
export interface XattrPair {
  readonly name: string;
  readonly value: Uint8Array;
}

/** inScope tells whether a name is carried under a scope. */
export function inScope(name: string, scope: XattrScope): boolean {
  return ACL_NAMES.has(name) ? scope.acls : scope.xattrs;
}

/** tracksAny: the scope carries something. */
export function tracksAny(scope: XattrScope | undefined): scope is XattrScope {
  return scope !== undefined && (scope.xattrs || scope.acls);
}

/** XATTRS_FORMAT opens every blob. */
const XATTRS_FORMAT = 1;

/** encodeXattrs lays pairs out as the blob (sorted by name, so equal sets give equal bytes). */
export function encodeXattrs(pairs: readonly XattrPair[]): Uint8Array {
  const sorted = [...pairs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const parts: Buffer[] = [Buffer.from([XATTRS_FORMAT])];
  for (const { name, value } of sorted) {
    const nameBytes = Buffer.from(name, 'utf8');
    const head = Buffer.alloc(2);
    head.writeUInt16BE(nameBytes.length);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(value.length);
    parts.push(head, nameBytes, size, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** decodeXattrs reads a blob back; a malformed one (from the wire) throws. */
export function decodeXattrs(blob: Uint8Array): XattrPair[] {
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const pairs: XattrPair[] = [];
  if (bytes.length === 0 || bytes[0] !== XATTRS_FORMAT) throw new Error('xattrs: not a blob of format 1');
  let at = 1;
  let last = '';
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw new Error('xattrs: truncated name length');
    const nameLength = bytes.readUInt16BE(at);
    at += 2;
    if (nameLength === 0 || at + nameLength + 4 > bytes.length) throw new Error('xattrs: truncated name');
    const name = bytes.subarray(at, at + nameLength).toString('utf8');
    at += nameLength;
    const valueLength = bytes.readUInt32BE(at);
    at += 4;
    if (at + valueLength > bytes.length) throw new Error('xattrs: truncated value');
    if (name <= last && pairs.length > 0) throw new Error('xattrs: names out of order');
    if (name.includes('\0') || !name.includes('.')) throw new Error('xattrs: a name must be namespace.name');
    pairs.push({ name, value: new Uint8Array(bytes.subarray(at, at + valueLength)) });
    at += valueLength;
    last = name;
  }
  return pairs;
}

/**
 * xattrsDiffer tells whether two entries carry other attributes, comparing only where both
 * sides tracked them (null or absent: not tracked), as owners are compared.
 */
export function xattrsDiffer(a: { readonly xattrs?: Uint8Array | null }, b: { readonly xattrs?: Uint8Array | null }): boolean {
  const x = a.xattrs;
  const y = b.xattrs;
  if (x === null || x === undefined || y === null || y === undefined) return false;
  return !Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
}

/** sameXattrs: both untracked (null or absent), or the same bytes; for the scan's unchanged check. */
export function sameXattrs(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** xattrNames lists a blob's names, for a dry run's line and the docs' examples. */
export function xattrNames(blob: Uint8Array | null | undefined): string[] {
  return blob === null || blob === undefined ? [] : decodeXattrs(blob).map((pair) => pair.name);
}
