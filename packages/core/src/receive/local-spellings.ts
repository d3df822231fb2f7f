import { below, parentOf } from '../model/entry.js';
import { caseFold } from '../platform/case.js';
import { nfc } from '../platform/names.js';
import type { ReceiverStore } from './receiver-store.js';

/**
 * LocalSpellings finds a new path that a case-insensitive side (Windows, or a default macOS
 * volume) already holds under another spelling: in another case, or in another Unicode
 * normalization (NFC against NFD). Writing it would land in the other file, or on NTFS make a
 * second one that shows as the same name: it is reported instead, as are the paths below a
 * directory refused this way. A case-sensitive side holds both spellings as two names, and is
 * not asked. It reads directories' names from this run's scan, a few at a time.
 */
export class LocalSpellings {
  /** dirs holds the names of the directories read last, each keyed by its folded form. */
  private readonly dirs = new Map<string, Map<string, string>>();
  private readonly refusedDirs = new Set<string>();

  constructor(private readonly store: Pick<ReceiverStore, 'scannedNamesIn'>) {}

  /**
   * clash returns why path, not in this side's scan, cannot be written, or undefined when it
   * can. movedFrom is where a move comes from: a rename that changes only the case is no clash.
   */
  clash(path: string, kind: 'file' | 'dir' | 'symlink', movedFrom?: string): string | undefined {
    if (this.refusedDirs.size > 0 && below(path, this.refusedDirs)) return 'a directory above it is held here under another spelling';
    const dir = parentOf(path);
    const name = path.slice(dir === '' ? 0 : dir.length + 1);
    const held = this.namesIn(dir).get(caseFold(name));
    if (held === undefined || held === name || movedFrom === (dir === '' ? held : `${dir}/${held}`)) return undefined;
    if (kind === 'dir') this.refusedDirs.add(path);
    const how = nfc(held) === nfc(name) ? 'another Unicode normalization' : 'another case';
    return `this side already holds it as ${JSON.stringify(held)} (${how}), and would hold the two as one; rename one of them`;
  }

  private namesIn(dir: string): Map<string, string> {
    let names = this.dirs.get(dir);
    if (names === undefined) {
      names = new Map(this.store.scannedNamesIn(dir).map((held) => [caseFold(held), held]));
      if (this.dirs.size >= DIRS_KEPT) this.dirs.delete(this.dirs.keys().next().value!);
    } else {
      this.dirs.delete(dir);
    }
    this.dirs.set(dir, names);
    return names;
  }
}

/**
 * DIRS_KEPT bounds the directories whose names stay read: a walk in path order goes back to a
 * parent after each child directory, which one cached directory would read again every time.
 */
const DIRS_KEPT = 16;
