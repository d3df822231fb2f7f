import type { Entry, EntryKind } from '@snapsync/core';
import type { Random } from '../../helpers/seeded-random.js';

/**
 * HostileValues draws field values a hostile initiator would send: paths that climb out, are
 * absolute, hold NUL or point into the private dir, names too long for any file system, and
 * numbers at and past every limit. `trap` is an absolute directory outside every docroot
 * that the paths and link targets aim at, so a write that escapes lands where a test looks.
 */
export class HostileValues {
  /** invalid are paths validation must refuse: empty, absolute, climbing, NUL, too long. */
  private readonly invalid: readonly string[];
  /** odd are paths validation lets through and the engine must handle: private dir, long names, odd characters. */
  private readonly odd: readonly string[] = [
    '.private-asp', '.private-asp/x', '.private-asp/pushing-0/snap.db', '.private-asp/pushing-0/.lock', '.private-asp/pushing-1',
    '~private-asp/x', '.PRIVATE-ASP/y', 'x'.repeat(256), `${'x'.repeat(255)}/y`, `${'d/'.repeat(800)}f`, 'a\\..\\..\\b',
    'C:\\Windows', 'C:', '\\\\server\\share', '~', '$HOME', '%s%n', 'a\nb', 'CON', 'nul.txt', '\u202eexe.txt', '\ud800',
    '\uffff', ' ', 'a ', 'a.', '...', '-rf', '--help', 'd/e/../f', 'é', 'e\u0301',
  ];

  /** names are plausible paths, so a batch also reaches what lies behind the path checks. */
  readonly names: readonly string[] = ['a', 'b.txt', 'd', 'd/e', 'd/e/f.txt', 'l', 'l/x', 'big.bin', 'é', 'Ä/ä'];

  /**
   * invalidRate is how often a value is one validation must refuse: high before a session,
   * where refusals are the point, low in a sync stream, so batches reach the engine.
   */
  constructor(private readonly random: Random, readonly trap: string, readonly invalidRate = 0.5) {
    this.invalid = [
      '', '.', '..', '../..', '../../..', '/', '/etc/passwd', trap, `${trap}/pwned`, `../../${trap}`, 'a/../../b', 'a/./b', 'a//b',
      'a/', '/a', '\0', 'a\0b', 'x'.repeat(4097), 'x'.repeat(5000),
    ];
  }

  /** path is invalid at invalidRate, else odd or plausible. */
  path(): string {
    if (this.random.chance(this.invalidRate)) return this.random.pick(this.invalid);
    return this.random.chance(0.5) ? this.random.pick(this.odd) : this.random.pick(this.names);
  }

  /** text is a free-text field: hostile, plausible, or random characters. */
  text(): string {
    switch (this.random.int(4)) {
      case 0: return this.path();
      case 1: return this.random.pick(['alice', 'bob', 'root', 'fuzz-0', 'sha256', 'md5', 'posix', 'win32', 'push', 'snapsync']);
      case 2: return 'y'.repeat(this.random.pick([1023, 1024, 1025, 70_000]));
      default: return this.randomString(this.random.int(40));
    }
  }

  /** number is past a limit (negative, fractional, past 2^53) at invalidRate, else at one or small. */
  number(): number {
    if (this.random.chance(this.invalidRate)) return this.random.pick([-1, 1.5, 2 ** 53 + 2, 2 ** 63, -(2 ** 53)]);
    return this.random.pick([0, 1, 7, 255, 0o777, 0o7777, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, this.random.int(1 << 20)]);
  }

  /** bool is true or false. */
  bool(): boolean {
    return this.random.chance(0.5);
  }

  /** entry is a file, dir or symlink with any fields; at invalidRate, fields no codec accepts. */
  entry(path = this.path()): Entry {
    const r = this.random;
    const wrong = (): boolean => r.chance(this.invalidRate / 4);
    const kind = wrong() ? 'fifo' as EntryKind : r.pick<EntryKind>(['file', 'file', 'dir', 'symlink']);
    // Link targets aim at the trap, never at the system: a bug here must not write into /etc.
    const linkTarget = kind === 'symlink'
      ? r.pick([this.trap, `${this.trap}/pwned`, '../../..', `${'../'.repeat(20)}${this.trap.slice(1)}`, 'a', '.', '..', '',
        ...(wrong() ? ['\0', 'x'.repeat(5000)] : [])])
      : null;
    const owner = (): number => (wrong() ? r.pick([2 ** 32, -1]) : r.pick([0, 1, 65534, 2 ** 32 - 1]));
    return {
      path, kind, size: r.chance(0.7) ? r.int(64) : this.number(), mtimeUs: this.number() * 1000,
      mode: wrong() ? r.pick([0o10000, 2 ** 31]) : r.pick([0o644, 0o755, 0o4755, 0o2777, 0o7777, 0o1777, 0]), ino: 0,
      checksum: kind === 'file' ? r.bytes(wrong() ? 80 : r.pick([0, 32, 32, 64])) : null, linkTarget,
      ...(r.chance(0.2) ? { uid: owner() } : {}), ...(r.chance(0.2) ? { gid: owner() } : {}),
    };
  }

  private randomString(length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) {
      text += this.random.chance(0.8)
        ? String.fromCharCode(32 + this.random.int(95))
        : String.fromCharCode(this.random.pick([0, 10, 0x2f, 0x5c, 0xe9, 0x202e, 0xd800, 0xfeff]));
    }
    return text;
  }
}
