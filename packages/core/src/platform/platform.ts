/**
 * The two families of platforms snapsync runs on. Rules that differ between them live
 * here, keyed by name, so Linux tests can exercise Windows semantics.
 */
export type PlatformName = 'posix' | 'win32';

/** currentPlatform is the platform this process runs on. */
export const currentPlatform: PlatformName = process.platform === 'win32' ? 'win32' : 'posix';

/** privateDirName is `.private-asp`, or `~private-asp` on Windows, as Aspera names it. */
export function privateDirName(platform: PlatformName = currentPlatform): string {
  return platform === 'win32' ? '~private-asp' : '.private-asp';
}

/** splitPath splits on `/`, and on `\` too where Windows reads it as a separator. */
export function splitPath(path: string, platform: PlatformName): string[] {
  const pattern = platform === 'win32' ? /[\\/]+/ : /\/+/;
  return path.split(pattern).filter((part) => part.length > 0);
}

/** driveLetterOf returns `d` for `d:/x` or `D:\x`, or undefined. */
export function driveLetterOf(path: string): string | undefined {
  const match = /^([A-Za-z]):(?:[\\/]|$)/.exec(path);
  return match?.[1]?.toLowerCase();
}

/**
 * inodeNumber keeps the low 53 bits of a file id. NTFS file ids use all 64 (a sequence number
 * on top), which a JavaScript number cannot hold exactly and node:sqlite refuses to read back;
 * ids only ever compare for equality with the same side's, so the low bits are enough.
 */
export function inodeNumber(ino: bigint): number {
  return Number(BigInt.asUintN(53, ino));
}

/**
 * samePath tells whether two absolute paths of one platform name the same directory as typed:
 * Windows ignores case and reads `/` as `\` (`Z:\Data` is `z:/data`); POSIX compares bytes.
 */
export function samePath(a: string, b: string, platform: PlatformName = currentPlatform): boolean {
  if (platform === 'posix') return a === b;
  const fold = (path: string): string => path.replaceAll('/', '\\').toLowerCase();
  return fold(a) === fold(b);
}
