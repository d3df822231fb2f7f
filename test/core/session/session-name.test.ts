import { expect } from 'chai';
import { assertSessionName, MAX_SESSION_NAME } from '@snapsync/core/internal';

describe('core/session/session-name', () => {
  for (const good of ['a', 'Z', '0', 'nightly', 'Backup_2024-01', '-_-', 'x'.repeat(MAX_SESSION_NAME)]) {
    it(`accepts "${good.length > 20 ? `${good.slice(0, 10)}… (${good.length} chars)` : good}"`, () => {
      expect(() => assertSessionName(good)).not.to.throw();
    });
  }

  const bad: [string, string][] = [
    ['an empty name', ''],
    ['a name one character too long', 'x'.repeat(MAX_SESSION_NAME + 1)],
    ['a name with a space', 'a b'],
    ['a name that climbs out with ..', '../x'],
    ['a name with a slash', 'a/b'],
    ['a name with a backslash', 'a\\b'],
    ['a name with a dot', 'a.b'],
    ['a lone dot', '.'],
    ['a name with a NUL', 'a\0b'],
    ['an accented name', 'café'],
    ['a non-Latin name', 'セッション'],
    ['a name with an emoji', 'sync😀'],
    ['a name with a colon', 'c:x'],
    ['a name with a trailing newline', 'abc\n'],
  ];
  for (const [what, name] of bad) {
    it(`refuses ${what} with SESSION_NAME_INVALID`, () => {
      expect(() => assertSessionName(name)).to.throw().with.property('code', 'SESSION_NAME_INVALID');
    });
  }

  it('tells the user how to give a name when it is empty', () => {
    expect(() => assertSessionName('')).to.throw(/-N NAME/);
  });

  it('names the length limit when the name is too long', () => {
    expect(() => assertSessionName('y'.repeat(200))).to.throw(`200 characters long; use at most ${MAX_SESSION_NAME}`);
  });

  it('lists the allowed characters when one is not allowed', () => {
    expect(() => assertSessionName('a b')).to.throw('session name "a b" may only use letters, digits, "_" and "-"');
  });
});
