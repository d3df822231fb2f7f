import { SnapsyncError } from '@snapsync/core';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathLine, type Reporter } from './reporter.js';

/** KEPT is how many rotated files stay beside the current one (NAME.log.1 … NAME.log.5). */
const KEPT = 5;

/** DEFAULT_ROTATE_MB applies to `-L DIR` without `:MB`. */
export const DEFAULT_ROTATE_MB = 100;

/**
 * LogFile appends time-stamped lines to DIR/NAME.log (-L DIR[:MB]); past the size it moves the
 * file to NAME.log.1 (the older ones one further, the oldest dropped) and starts a new one.
 */
export class LogFile {
  private fd: number;
  private size: number;
  private readonly path: string;
  private broken = false;

  constructor(private readonly dir: string, private readonly name: string, private readonly rotateBytes: number) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new SnapsyncError('FILE_SYSTEM', `cannot create the log dir ${dir} (-L): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    this.path = join(dir, `${name}.log`);
    this.fd = this.open();
    this.size = fstatSync(this.fd).size;
  }

  /**
   * write appends lines. A log that cannot be written (disk full, rotation refused) must not
   * stop the sync: it says so once on stderr and stops logging.
   */
  write(text: string): void {
    if (this.broken) return;
    const stamp = new Date().toISOString();
    const lines = text.split('\n').map((line) => `${stamp} ${line}\n`).join('');
    const bytes = Buffer.byteLength(lines);
    try {
      if (this.size > 0 && this.size + bytes > this.rotateBytes) this.rotate();
      writeSync(this.fd, lines);
      this.size += bytes;
    } catch (err) {
      this.broken = true;
      process.stderr.write(`snapsync: cannot write the log ${this.path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ` +
        'logging stops, the sync goes on\n');
    }
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // a rotation that failed half-way left no file open
    }
  }

  private open(): number {
    try {
      return openSync(this.path, 'a', 0o644);
    } catch (err) {
      throw new SnapsyncError('FILE_SYSTEM', `cannot write the log file ${this.path} (-L): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  private rotate(): void {
    closeSync(this.fd);
    const numbered = (n: number): string => join(this.dir, `${this.name}.log.${n}`);
    rmSync(numbered(KEPT), { force: true });
    for (let n = KEPT - 1; n >= 1; n--) if (existsSync(numbered(n))) renameSync(numbered(n), numbered(n + 1));
    renameSync(this.path, numbered(1));
    this.fd = this.open();
    this.size = 0;
  }
}

/**
 * alsoToLog writes everything a reporter says to a log file too, as text, whatever -q or
 * --json do to the screen: the log keeps every path's line.
 */
export function alsoToLog(reporter: Reporter, log: LogFile): Reporter {
  return {
    event: (name, text, fields) => {
      if (text !== '') log.write(text);
      reporter.event(name, text, fields);
    },
    perPath: (outcome, path, message, source) => {
      log.write(pathLine(outcome, path, message));
      reporter.perPath(outcome, path, message, source);
    },
    warn: (text) => {
      log.write(text);
      reporter.warn(text);
    },
    transfer: () => reporter.transfer(),
  };
}
