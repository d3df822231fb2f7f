import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * keptVersions lists the versions of `path` a keep dir holds (`dir/stem~YYYYMMDD-HHMMSS[-N].ext`),
 * oldest first, as paths inside the keep dir.
 */
export function keptVersions(keepDir: string, path: string): string[] {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash);
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot) : '';
  const stem = name.slice(0, name.length - ext.length);
  const quote = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${quote(stem)}~(\\d{8}-\\d{6})(?:-(\\d+))?${quote(ext)}$`);
  const full = join(keepDir, dir);
  if (!existsSync(full)) return [];
  const order = (entry: string): string => {
    const match = pattern.exec(entry)!;
    return `${match[1]!}-${(match[2] ?? '1').padStart(6, '0')}`;
  };
  return readdirSync(full).filter((entry) => pattern.test(entry))
    .sort((x, y) => order(x).localeCompare(order(y)))
    .map((entry) => (dir === '' ? entry : `${dir}/${entry}`));
}

/** keptTexts reads the versions of `path` a keep dir holds, oldest first. */
export function keptTexts(keepDir: string, path: string): string[] {
  return keptVersions(keepDir, path).map((kept) => readFileSync(join(keepDir, kept), 'utf8'));
}
