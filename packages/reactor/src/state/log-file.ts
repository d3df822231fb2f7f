import { chmodSync, closeSync, constants, fchmodSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setupError } from '../errors.js';

/** LogRotation says when reactor.log is rotated and how many old ones stay (config "logRotate"). */
export interface LogRotation {
  readonly maxBytes: number;
  readonly keep: number;
}

/** LogFileSettings are config "logDir" (resolved) and "logRotate". */
export interface LogFileSettings extends LogRotation {
  readonly dir: string;
}

export const DEFAULT_LOG_ROTATION: LogRotation = { maxBytes: 10 * 1024 * 1024, keep: 5 };

export const LOG_FILE_NAME = 'reactor.log';

/** Log files are for the reactor's user and its group (adm, a log shipper), not for everyone. */
const FILE_MODE = 0o640;
const DIR_MODE = 0o750;

const CREATE = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL;
const APPEND = constants.O_WRONLY | constants.O_APPEND;

/**
 * LogFile is `<logDir>/reactor.log`, appended one line at a time, synchronously (a reactor logs a
 * few lines per session). Before a line would take it past maxBytes it is renamed reactor.log.1
 * (older ones shifted up, the one past `keep` overwritten) and a new one started, so no line is
 * split or lost at the boundary. reopen (SIGHUP) starts writing the file at its path again, after
 * an external logrotate moved it away. A line that cannot be written (disk full) is dropped, with
 * one warning on stderr until writing works again: logging never stops serving.
 */
export class LogFile {
  readonly path: string;
  private fd: number | undefined;
  private size = 0;
  private failing = false;

  private constructor(private readonly settings: LogFileSettings, private readonly warn: (line: string) => void) {
    this.path = join(settings.dir, LOG_FILE_NAME);
  }

  /** open makes the log dir if missing and opens reactor.log; a reactor that cannot log there does not start. */
  static open(settings: LogFileSettings, warn = (line: string): void => void process.stderr.write(line)): LogFile {
    const file = new LogFile(settings, warn);
    try {
      if (mkdirSync(settings.dir, { recursive: true, mode: DIR_MODE }) !== undefined) chmodSync(settings.dir, DIR_MODE);
      file.openFile();
    } catch (err) {
      throw setupError(`cannot log to ${file.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; ` +
        'make "logDir" a directory the reactor\'s user can write');
    }
    return file;
  }

  readonly write = (line: string): void => {
    const data = Buffer.from(line);
    try {
      if (this.fd === undefined) this.openFile();
      else if (this.size > 0 && this.size + data.length > this.settings.maxBytes) this.rotate();
      for (let at = 0; at < data.length;) at += writeSync(this.fd!, data, at, data.length - at);
      this.size += data.length;
      this.failing = false;
    } catch (err) {
      this.failed(err);
    }
  };

  /** reopen closes reactor.log and opens whatever is at its path now (SIGHUP, after logrotate). */
  reopen(): void {
    this.close();
    try {
      this.openFile();
    } catch (err) {
      this.failed(err);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  private openFile(): void {
    let made = true;
    try {
      this.fd = openSync(this.path, CREATE, FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      made = false;
      this.fd = openSync(this.path, APPEND);
    }
    // Made here: its mode is ours to set, whatever the umask took. One that logrotate made is kept as made.
    if (made) fchmodSync(this.fd, FILE_MODE);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    try {
      for (let n = this.settings.keep; n > 1; n -= 1) renameIfThere(`${this.path}.${n - 1}`, `${this.path}.${n}`);
      renameSync(this.path, `${this.path}.1`);
    } catch (err) {
      this.failed(err);
    }
    this.openFile();
    // Had the renames failed, the line still goes to this file, and the next try comes after another maxBytes.
    this.size = 0;
  }

  private failed(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.warn(`snapsync-reactor: cannot write ${this.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; ` +
      'log lines are lost until it can be written\n');
  }
}

function renameIfThere(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
