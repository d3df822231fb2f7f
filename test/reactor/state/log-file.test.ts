import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogFile, LOG_FILE_NAME } from '@snapsync/reactor/internal';
import { tempDir } from '../../helpers/temp-dir.js';

/** numbered is line n of a test log, all of one length so the rotation points are known. */
function numbered(n: number): string {
  return `line ${String(n).padStart(4, '0')}\n`;
}

describe('reactor/state/log-file: reactor.log in the log dir, rotated by size', () => {
  let umask: number;
  beforeEach(() => {
    // A umask that would take the group's bits from what the log dir and files are made with.
    umask = process.umask(0o077);
  });
  afterEach(() => {
    process.umask(umask);
  });

  it('makes the missing log dir 0750 and reactor.log 0640 whatever the umask, and appends each line to it', () => {
    const dir = join(tempDir('snapsync-log-'), 'logs', 'reactor');
    const file = LogFile.open({ dir, maxBytes: 4096, keep: 2 });
    file.write('first\n');
    file.write('second\n');
    file.close();
    expect(statSync(dir).mode & 0o7777).to.equal(0o750);
    expect(statSync(join(dir, LOG_FILE_NAME)).mode & 0o7777).to.equal(0o640);
    expect(readFileSync(join(dir, LOG_FILE_NAME), 'utf8')).to.equal('first\nsecond\n');
    // Opened again (a restart), it appends.
    const again = LogFile.open({ dir, maxBytes: 4096, keep: 2 });
    again.write('third\n');
    again.close();
    expect(readFileSync(join(dir, LOG_FILE_NAME), 'utf8')).to.equal('first\nsecond\nthird\n');
  });

  it('rotates before a line would pass maxBytes: exactly keep old files, the newest lines in reactor.log, none split or lost between them', () => {
    const dir = tempDir('snapsync-log-');
    const line = numbered(0).length;
    // Four lines a file, and 50 lines: thirteen files' worth, of which reactor.log and 3 old ones stay.
    const file = LogFile.open({ dir, maxBytes: 4 * line + 3, keep: 3 });
    for (let n = 1; n <= 50; n += 1) file.write(numbered(n));
    file.close();
    expect(readdirSync(dir).sort()).to.deep.equal([LOG_FILE_NAME, `${LOG_FILE_NAME}.1`, `${LOG_FILE_NAME}.2`, `${LOG_FILE_NAME}.3`]);
    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    expect(read(LOG_FILE_NAME)).to.equal([49, 50].map(numbered).join(''));
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size, name).to.be.at.most(4 * line + 3);
    const kept = [`${LOG_FILE_NAME}.3`, `${LOG_FILE_NAME}.2`, `${LOG_FILE_NAME}.1`, LOG_FILE_NAME].map(read).join('');
    expect(kept).to.equal(Array.from({ length: 14 }, (_, i) => numbered(37 + i)).join(''));
    expect(statSync(join(dir, `${LOG_FILE_NAME}.3`)).mode & 0o7777).to.equal(0o640);
  });

  it('reopen writes to a new reactor.log once the old one was moved away (logrotate, then SIGHUP)', () => {
    const dir = tempDir('snapsync-log-');
    const file = LogFile.open({ dir, maxBytes: 4096, keep: 5 });
    file.write('before\n');
    renameSync(join(dir, LOG_FILE_NAME), join(dir, 'reactor.log-20261122'));
    file.write('still to the moved file\n');
    file.reopen();
    file.write('after\n');
    file.close();
    expect(readFileSync(join(dir, 'reactor.log-20261122'), 'utf8')).to.equal('before\nstill to the moved file\n');
    expect(readFileSync(join(dir, LOG_FILE_NAME), 'utf8')).to.equal('after\n');
  });

  it('drops a line it cannot write (disk full) with one warning until writing works again, and never throws', function () {
    if (!existsSync('/dev/full')) this.skip();
    const dir = tempDir('snapsync-log-');
    symlinkSync('/dev/full', join(dir, LOG_FILE_NAME));
    const warnings: string[] = [];
    const file = LogFile.open({ dir, maxBytes: 4096, keep: 5 }, (line) => warnings.push(line));
    file.write('lost\n');
    file.write('lost too\n');
    expect(warnings).to.deep.equal([`snapsync-reactor: cannot write ${join(dir, LOG_FILE_NAME)}: ENOSPC; log lines are lost until it can be written\n`]);
    renameSync(join(dir, LOG_FILE_NAME), join(dir, 'full'));
    file.reopen();
    file.write('written\n');
    file.close();
    expect(readFileSync(join(dir, LOG_FILE_NAME), 'utf8')).to.equal('written\n');
  });

  it('refuses a log dir it cannot make, naming the path and the reason', () => {
    const home = tempDir('snapsync-log-');
    writeFileSync(join(home, 'a-file'), '');
    const dir = join(home, 'a-file', 'logs');
    expect(() => LogFile.open({ dir, maxBytes: 4096, keep: 5 })).to.throw(
      `cannot log to ${join(dir, LOG_FILE_NAME)}: ENOTDIR; make "logDir" a directory the reactor's user can write`);
  });
});
