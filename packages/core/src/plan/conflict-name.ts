/** MAX_TAG bounds the host part of a kept loser's name. */
const MAX_TAG = 32;
/** MAX_NAME keeps a kept loser's name within what every file system holds (255 bytes). */
const MAX_NAME = 255;

/**
 * conflictName is where a resolved conflict's losing version is kept, beside the path:
 * `report.conflict-HOST-20261122-143005.txt`, numbered `-2`, `-3`, ... while `taken` says
 * a name is in use, so a kept copy never overwrites anything. HOST is the side that lost.
 */
export function conflictName(path: string, host: string, at: Date, taken: (candidate: string) => boolean): string {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  // A leading dot is a hidden name's, not an extension's.
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const stem = name.slice(0, name.length - ext.length);
  const tag = host.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, MAX_TAG) || 'host';
  const mark = `.conflict-${tag}-${stamp(at)}`;
  for (let n = 1; ; n += 1) {
    const suffix = n === 1 ? mark : `${mark}-${n}`;
    const room = MAX_NAME - Buffer.byteLength(suffix + ext);
    const candidate = `${dir}${fit(stem, room)}${suffix}${ext}`;
    if (!taken(candidate)) return candidate;
  }
}

/** stamp is a UTC time as YYYYMMDD-HHMMSS. */
function stamp(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

/** fit cuts a name to at most bytes UTF-8 bytes, never inside a character. */
function fit(name: string, bytes: number): string {
  if (Buffer.byteLength(name) <= bytes) return name;
  let out = '';
  for (const char of name) {
    if (Buffer.byteLength(out + char) > bytes) break;
    out += char;
  }
  return out;
}
