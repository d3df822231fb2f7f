import { expect } from 'chai';
import { decodeXattrs, encodeXattrs, scopeOf, xattrsDiffer } from '@snapsync/core/internal';

const pair = (name: string, value: string) => ({ name, value: new Uint8Array(Buffer.from(value)) });

describe('core/model: the xattrs blob', () => {
  it('gives equal sets equal bytes whatever their order, and reads them back', () => {
    const a = encodeXattrs([pair('user.b', '2'), pair('user.a', '1'), pair('system.posix_acl_access', '')]);
    const b = encodeXattrs([pair('system.posix_acl_access', ''), pair('user.a', '1'), pair('user.b', '2')]);
    expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(true);
    expect(decodeXattrs(a).map((p) => [p.name, Buffer.from(p.value).toString()])).to.deep.equal([
      ['system.posix_acl_access', ''], ['user.a', '1'], ['user.b', '2'],
    ]);
  });

  it('refuses a truncated blob, names out of order and a name without a namespace', () => {
    const good = encodeXattrs([pair('user.a', 'value')]);
    expect(() => decodeXattrs(good.subarray(0, good.length - 1))).to.throw(/truncated/);
    const twice = Buffer.concat([Buffer.from(encodeXattrs([pair('user.b', '')])), Buffer.from(encodeXattrs([pair('user.a', '')])).subarray(1)]);
    expect(() => decodeXattrs(twice)).to.throw(/out of order/);
    expect(() => decodeXattrs(encodeXattrs([pair('plain', '')]))).to.throw(/namespace/);
  });

  it('compares only where both sides tracked them', () => {
    const one = { xattrs: encodeXattrs([pair('user.a', '1')]) };
    const other = { xattrs: encodeXattrs([pair('user.a', '2')]) };
    expect(xattrsDiffer(one, other)).to.equal(true);
    expect(xattrsDiffer(one, { xattrs: null })).to.equal(false);
    expect(xattrsDiffer(one, {})).to.equal(false);
  });

  it('carries a kind only where neither side keeps none', () => {
    expect(scopeOf({ xattrs: { initiator: 'native', reactor: 'native' }, acls: { initiator: 'none', reactor: 'none' } }))
      .to.deep.equal({ xattrs: true, acls: false });
    expect(scopeOf({ xattrs: { initiator: 'native', reactor: 'none' }, acls: { initiator: 'none', reactor: 'none' } })).to.equal(undefined);
  });
});
