import { expect } from 'chai';
import { parseRemoteSpec } from '@snapsync/initiator/internal';

describe('initiator/options/remote-spec', () => {
  const cases: [string, unknown][] = [
    ['user@host:/path', { kind: 'remote', user: 'user', host: 'host', path: '/path' }],
    ['host:/data', { kind: 'remote', user: undefined, host: 'host', path: '/data' }],
    ['admin@server:d:/storage/users', { kind: 'remote', user: 'admin', host: 'server', path: 'd:/storage/users' }],
    ['[::1]:/p', { kind: 'remote', user: undefined, host: '::1', path: '/p' }],
    ['bob@[fe80::1]:/x', { kind: 'remote', user: 'bob', host: 'fe80::1', path: '/x' }],
    ['/plain/local', { kind: 'local', path: '/plain/local' }],
    ['relative/dir', { kind: 'local', path: 'relative/dir' }],
    ['./a:b', { kind: 'local', path: './a:b' }],
    ['c:/data', { kind: 'local', path: 'c:/data' }],
    ['C:\\data', { kind: 'local', path: 'C:\\data' }],
  ];
  for (const [spec, expected] of cases) {
    it(`reads ${spec}`, () => {
      expect(parseRemoteSpec(spec)).to.deep.equal(expected);
    });
  }

  for (const bad of ['', 'host:', 'user@:/p', '[zz]:/p', 'ho st:/p', '@host:/p']) {
    it(`refuses "${bad}" with a usage error`, () => {
      expect(() => parseRemoteSpec(bad)).to.throw().with.property('code', 'USAGE');
    });
  }
});
