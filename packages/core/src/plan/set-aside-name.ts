/** MAX_NAME keeps a set-aside name within what every file system holds (255 bytes). */
const MAX_NAME = 255;
/** MAX_EXT is the longest ending taken for an extension, its dot included. */
const MAX_EXT = 16;

/** NameParts are a path split as set-aside names keep it: directory (with its '/'), stem, extension. */
export interface NameParts {
  readonly dir: string;
  readonly stem: string;
  readonly ext: string;
}

/** nameParts splits a path's last name into stem and extension; a hidden name's leading dot is not an extension. */
export function nameParts(path: string): NameParts {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= MAX_EXT ? name.slice(dot) : '';
  return { dir, stem: name.slice(0, name.length - ext.length), ext };
}

/**
 * asideName is a free name for a version of path set aside: `mark` between the stem and the
 * extension, then `-2`, `-3`, ... while `taken` says a name is in use, so a kept version never
 * overwrites anything. A long stem is cut so the name stays within 255 bytes.
 */
export function asideName(path: string, mark: string, taken: (candidate: string) => boolean): string {
  const { dir, stem, ext } = nameParts(path);
  for (let n = 1; ; n += 1) {
    const suffix = n === 1 ? mark : `${mark}-${n}`;
    const room = MAX_NAME - Buffer.byteLength(suffix + ext);
    const candidate = `${dir}${fit(stem, room)}${suffix}${ext}`;
    if (!taken(candidate)) return candidate;
  }
}

/** stamp is a UTC time as YYYYMMDD-HHMMSS. */
export function stamp(at: Date): string {
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
