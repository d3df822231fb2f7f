import { expect } from 'chai';
import { confine, ensureDirectory } from '@snapsync/reactor/internal';
import { existsSync, mkdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/temp-dir.js';

/** codeOf runs fn and returns the code of what it threw (failing when it did not throw). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code ?? `uncoded: ${(err as Error).message}`;
  }
  throw new Error('expected an error, but nothing was thrown');
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error, but nothing was thrown');
}

describe('reactor/server/docroot', () => {
  let base: string;
  let docroot: string;
  let realRoot: string;
  let outside: string;

  beforeEach(() => {
    base = tempDir('snapsync-docroot-');
    docroot = join(base, 'root');
    outside = join(base, 'outside');
    mkdirSync(join(docroot, 'data', 'sub'), { recursive: true });
    mkdirSync(join(outside, 'secret'), { recursive: true });
    writeFileSync(join(docroot, 'file.txt'), 'x');
    symlinkSync(outside, join(docroot, 'escape'));
    symlinkSync('../outside', join(docroot, 'relative-escape'));
    symlinkSync(join(docroot, 'data'), join(docroot, 'inside-link'));
    symlinkSync('data/sub', join(docroot, 'relative-inside-link'));
    realRoot = realpathSync(docroot);
  });

  describe('confine', () => {
    it('reads "/" as the docroot itself, shown as "/"', () => {
      expect(confine(docroot, '/', 'posix')).to.deep.equal({ real: realRoot, shown: '/' });
    });

    it('reads the empty path as the docroot itself', () => {
      expect(confine(docroot, '', 'posix')).to.deep.equal({ real: realRoot, shown: '/' });
    });

    it('reads "/data" as <docroot>/data', () => {
      expect(confine(docroot, '/data', 'posix')).to.deep.equal({ real: join(realRoot, 'data'), shown: '/data' });
    });

    it('reads a relative path, repeated slashes, "." and a trailing slash from the docroot too', () => {
      expect(confine(docroot, 'data//sub/./', 'posix')).to.deep.equal({ real: join(realRoot, 'data', 'sub'), shown: '/data/sub' });
    });

    it('confines a path that does not exist yet below the docroot', () => {
      expect(confine(docroot, '/new/deeper', 'posix')).to.deep.equal({ real: join(realRoot, 'new', 'deeper'), shown: '/new/deeper' });
    });

    for (const path of ['..', '/..', '/../x', '/data/../../x', '/data/../data', 'data/..', '/data/sub/..']) {
      it(`refuses "${path}" with PATH_OUTSIDE_DOCROOT because it contains ".."`, () => {
        expect(codeOf(() => confine(docroot, path, 'posix'))).to.equal('PATH_OUTSIDE_DOCROOT');
      });
    }

    it('tells the user in the message to name a directory below the docroot', () => {
      expect(messageOf(() => confine(docroot, '/../etc', 'posix'))).to.match(/"\.\."/).and.match(/below your docroot/);
    });

    it('refuses a symbolic link inside the docroot that points outside it', () => {
      expect(codeOf(() => confine(docroot, '/escape', 'posix'))).to.equal('PATH_OUTSIDE_DOCROOT');
    });

    it('refuses a relative symbolic link that climbs out of the docroot', () => {
      expect(codeOf(() => confine(docroot, '/relative-escape/secret', 'posix'))).to.equal('PATH_OUTSIDE_DOCROOT');
    });

    it('refuses an existing path below a symbolic link that leads outside', () => {
      expect(codeOf(() => confine(docroot, '/escape/secret', 'posix'))).to.equal('PATH_OUTSIDE_DOCROOT');
    });

    it('refuses a missing path below a symbolic link that leads outside', () => {
      expect(codeOf(() => confine(docroot, '/escape/not/there/yet', 'posix'))).to.equal('PATH_OUTSIDE_DOCROOT');
    });

    it('refuses a dangling symbolic link that would lead outside once its target exists', () => {
      symlinkSync(join(outside, 'not-yet'), join(docroot, 'dangling'));
      expect(codeOf(() => confine(docroot, '/dangling', 'posix'))).to.equal('PATH_OUTSIDE_DOCROOT');
      expect(codeOf(() => confine(docroot, '/dangling/below', 'posix'))).to.equal('PATH_OUTSIDE_DOCROOT');
    });

    it('accepts a dangling symbolic link whose target would lie inside the docroot', () => {
      symlinkSync('data/later', join(docroot, 'dangling-inside'));
      expect(confine(docroot, '/dangling-inside/x', 'posix'))
        .to.deep.equal({ real: join(realRoot, 'data', 'later', 'x'), shown: '/dangling-inside/x' });
    });

    it('refuses a loop of symbolic links with PATH_INVALID instead of guessing where it leads', () => {
      symlinkSync('loop-b', join(docroot, 'loop-a'));
      symlinkSync('loop-a', join(docroot, 'loop-b'));
      expect(codeOf(() => confine(docroot, '/loop-a/x', 'posix'))).to.equal('PATH_INVALID');
    });

    it('accepts a symbolic link that points inside the docroot and resolves it', () => {
      expect(confine(docroot, '/inside-link/sub', 'posix')).to.deep.equal({ real: join(realRoot, 'data', 'sub'), shown: '/inside-link/sub' });
      expect(confine(docroot, '/relative-inside-link', 'posix').real).to.equal(join(realRoot, 'data', 'sub'));
    });

    it('works when the docroot itself is reached through a symbolic link', () => {
      const linkedRoot = join(base, 'root-link');
      symlinkSync(docroot, linkedRoot);
      expect(confine(linkedRoot, '/data', 'posix')).to.deep.equal({ real: join(realRoot, 'data'), shown: '/data' });
      expect(codeOf(() => confine(linkedRoot, '/escape', 'posix'))).to.equal('PATH_OUTSIDE_DOCROOT');
    });

    for (const path of ['c:/data', 'C:\\data', 'd:', 'z:/']) {
      it(`refuses the drive-letter path "${path}" on posix with PATH_INVALID`, () => {
        expect(codeOf(() => confine(docroot, path, 'posix'))).to.equal('PATH_INVALID');
      });
    }

    it('refuses a path with a NUL character with PATH_INVALID', () => {
      expect(codeOf(() => confine(docroot, '/data\0/x', 'posix'))).to.equal('PATH_INVALID');
    });

    it('reads a backslash as part of a name on posix, not as a separator', () => {
      expect(confine(docroot, '/a\\..\\b', 'posix').real).to.equal(join(realRoot, 'a\\..\\b'));
    });

    it('reads a backslash as a separator with Windows rules, so "\\.." is refused', () => {
      expect(codeOf(() => confine(docroot, '\\data\\..\\..\\x', 'win32'))).to.equal('PATH_OUTSIDE_DOCROOT');
    });

    it('lets a user whose docroot is "/" see the real file system', () => {
      expect(confine('/', realRoot, 'posix')).to.deep.equal({ real: realRoot, shown: realRoot });
      expect(confine('/', join(realRoot, 'data'), 'posix').real).to.equal(join(realRoot, 'data'));
      expect(confine('/', '/', 'posix').real).to.equal('/');
    });

    it('still refuses ".." for a user whose docroot is "/"', () => {
      expect(codeOf(() => confine('/', `${realRoot}/../outside`, 'posix'))).to.equal('PATH_OUTSIDE_DOCROOT');
    });
  });

  describe('ensureDirectory', () => {
    it('returns an existing directory unchanged', () => {
      const target = confine(docroot, '/data', 'posix');
      expect(ensureDirectory(docroot, target, false, 'remote directory')).to.deep.equal(target);
    });

    it('refuses a missing directory with DIR_NOT_FOUND and names --create-dir', () => {
      const target = confine(docroot, '/missing', 'posix');
      expect(codeOf(() => ensureDirectory(docroot, target, false, 'remote directory'))).to.equal('DIR_NOT_FOUND');
      const message = messageOf(() => ensureDirectory(docroot, target, false, 'remote directory'));
      expect(message).to.include('remote directory /missing').and.include('--create-dir');
      expect(message).not.to.include(base, 'the real path of the docroot is not shown to the user');
      expect(existsSync(join(docroot, 'missing'))).to.equal(false);
    });

    it('creates a missing directory and its missing parents when create is set', () => {
      const target = confine(docroot, '/made/by/test', 'posix');
      const made = ensureDirectory(docroot, target, true, 'remote directory');
      expect(made).to.deep.equal({ real: join(realRoot, 'made', 'by', 'test'), shown: '/made/by/test' });
      expect(statSync(join(docroot, 'made', 'by', 'test')).isDirectory()).to.equal(true);
    });

    it('refuses a file where a directory is expected with DIR_NOT_FOUND, even with create', () => {
      const target = confine(docroot, '/file.txt', 'posix');
      expect(codeOf(() => ensureDirectory(docroot, target, false, 'remote directory'))).to.equal('DIR_NOT_FOUND');
      expect(codeOf(() => ensureDirectory(docroot, target, true, 'remote directory'))).to.equal('DIR_NOT_FOUND');
      expect(messageOf(() => ensureDirectory(docroot, target, true, 'remote directory'))).to.include('is not a directory');
    });

    it('fails with a coded error, not an internal one, when asked to create a directory below a file', () => {
      const target = confine(docroot, '/file.txt/sub', 'posix');
      expect(codeOf(() => ensureDirectory(docroot, target, false, 'remote directory'))).to.equal('DIR_NOT_FOUND');
      expect(codeOf(() => ensureDirectory(docroot, target, true, 'remote directory'))).to.equal('FILE_SYSTEM');
    });

    it('creates through a symbolic link that stays inside the docroot', () => {
      const made = ensureDirectory(docroot, confine(docroot, '/inside-link/fresh', 'posix'), true, 'remote directory');
      expect(made.real).to.equal(join(realRoot, 'data', 'fresh'));
      expect(statSync(join(docroot, 'data', 'fresh')).isDirectory()).to.equal(true);
    });

    it('never creates anything through a dangling symbolic link that leads outside', () => {
      symlinkSync(join(outside, 'planted'), join(docroot, 'dangling'));
      expect(codeOf(() => ensureDirectory(docroot, confine(docroot, '/dangling/x', 'posix'), true, 'remote directory')))
        .to.equal('PATH_OUTSIDE_DOCROOT');
      expect(existsSync(join(outside, 'planted'))).to.equal(false);
    });

    it('creates a directory on the real file system for a user whose docroot is "/"', () => {
      const wanted = join(realRoot, 'real-fs', 'dir');
      const made = ensureDirectory('/', confine('/', wanted, 'posix'), true, 'remote directory');
      expect(made.real).to.equal(wanted);
      expect(statSync(wanted).isDirectory()).to.equal(true);
    });
  });
});
