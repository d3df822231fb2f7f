import { expect } from 'chai';
import { parseListen } from '@snapsync/reactor/internal';

describe('reactor/server/listen-address', () => {
  const good: [string, { host: string; port: number }][] = [
    ['127.0.0.1:9093', { host: '127.0.0.1', port: 9093 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['[::1]:9093', { host: '::1', port: 9093 }],
    ['[fe80::1%eth0]:443', { host: 'fe80::1%eth0', port: 443 }],
    [':9093', { host: '::', port: 9093 }],
    ['  0.0.0.0:65535 ', { host: '0.0.0.0', port: 65535 }],
  ];
  for (const [text, expected] of good) {
    it(`reads "${text}" as ${expected.host} port ${expected.port}`, () => {
      expect(parseListen(text)).to.deep.equal(expected);
    });
  }

  for (const bad of ['bogus', '9093', '127.0.0.1', '127.0.0.1:', '127.0.0.1:65536', '127.0.0.1:123456', '::1:9093', 'host:port', '[::1]9093']) {
    it(`refuses "${bad}" with a usage error that shows the expected form`, () => {
      expect(() => parseListen(bad)).to.throw(/is not HOST:PORT; write it like 127\.0\.0\.1:9093/).with.property('code', 'USAGE');
    });
  }
});
