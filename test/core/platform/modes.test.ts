import { expect } from 'chai';
import { modeFromPeer, withCreateMode, type Entry } from '@snapsync/core/internal';

function entry(kind: Entry['kind'], mode: number): Entry {
  return { path: 'a', kind, size: 0, mtimeUs: 0, mode, ino: 0, checksum: null, linkTarget: kind === 'symlink' ? 't' : null };
}

describe('core/platform/modes: what a mode from the other platform means here', () => {
  it('takes a peer of the same platform at its word', () => {
    expect(modeFromPeer(entry('file', 0o640), 'posix', 'posix')).to.equal(0o640);
    expect(modeFromPeer(entry('file', 0o444), 'win32', 'win32')).to.equal(0o444);
  });

  it('never makes a POSIX file world-writable from a Windows 0o666: it keeps its own bits, or 0o644 for a new file', () => {
    expect(modeFromPeer(entry('file', 0o666), 'posix', 'win32')).to.equal(0o644);
    expect(modeFromPeer(entry('file', 0o666), 'posix', 'win32', { kind: 'file', mode: 0o600 })).to.equal(0o600);
    expect(modeFromPeer(entry('file', 0o666), 'posix', 'win32', { kind: 'file', mode: 0o440 })).to.equal(0o640);
  });

  it('reads a Windows read-only file as no write bits on POSIX, keeping the rest', () => {
    expect(modeFromPeer(entry('file', 0o444), 'posix', 'win32')).to.equal(0o444);
    expect(modeFromPeer(entry('file', 0o444), 'posix', 'win32', { kind: 'file', mode: 0o750 })).to.equal(0o550);
  });

  it('keeps a POSIX directory mode whatever Windows reports, 0o755 for a new one', () => {
    expect(modeFromPeer(entry('dir', 0o666), 'posix', 'win32', { kind: 'dir', mode: 0o700 })).to.equal(0o700);
    expect(modeFromPeer(entry('dir', 0o666), 'posix', 'win32', { kind: 'file', mode: 0o600 })).to.equal(0o755);
  });

  it('sees a POSIX mode on Windows as read-only or not, as its own scan will report it', () => {
    expect(modeFromPeer(entry('file', 0o640), 'win32', 'posix')).to.equal(0o666);
    expect(modeFromPeer(entry('file', 0o440), 'win32', 'posix')).to.equal(0o444);
    expect(modeFromPeer(entry('dir', 0o700), 'win32', 'posix')).to.equal(0o666);
  });

  it('leaves links alone', () => {
    expect(modeFromPeer(entry('symlink', 0o777), 'posix', 'win32')).to.equal(0o777);
  });

  it('gives what a Windows peer made this process\'s creation modes, so a umask of 077 keeps it private', () => {
    const created = { file: 0o600, dir: 0o700 };
    expect(modeFromPeer(entry('file', 0o666), 'posix', 'win32', undefined, created)).to.equal(0o600);
    expect(modeFromPeer(entry('file', 0o444), 'posix', 'win32', undefined, created)).to.equal(0o400);
    expect(modeFromPeer(entry('dir', 0o666), 'posix', 'win32', undefined, created)).to.equal(0o700);
  });

  it('keeps a Windows folder\'s own attribute rather than clearing it', () => {
    expect(modeFromPeer(entry('dir', 0o755), 'win32', 'posix', { kind: 'dir', mode: 0o444 })).to.equal(0o444);
  });
});

describe('core/platform/modes: the modes a reactor gives what it makes (fileMode, directoryMode)', () => {
  it('gives a file the file mode and a directory the directory mode, whatever was sent; a link and an unset kind keep theirs', () => {
    const modes = { file: 0o640, directory: 0o750 };
    expect(withCreateMode(entry('file', 0o4755), modes).mode).to.equal(0o640);
    expect(withCreateMode(entry('dir', 0o700), modes).mode).to.equal(0o750);
    expect(withCreateMode(entry('symlink', 0o777), modes).mode).to.equal(0o777);
    expect(withCreateMode(entry('file', 0o600), { directory: 0o750 }).mode).to.equal(0o600);
    const same = entry('file', 0o640);
    expect(withCreateMode(same, modes)).to.equal(same);
    expect(withCreateMode(same, undefined)).to.equal(same);
  });
});
