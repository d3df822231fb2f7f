import { expect } from 'chai';
import { applyOwner, ownerIds, type Chown } from '@snapsync/core/internal';

/** refusing stands for lchown on a side that may change some ids and not others. */
function refusing(code: string, refuses: (uid: number, gid: number) => boolean): { chown: Chown; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    chown: (uid, gid) => {
      calls.push(`${uid}:${gid}`);
      if (refuses(uid, gid)) throw Object.assign(new Error(code), { code });
    },
  };
}

const entry = { path: 'p', kind: 'file', size: 0, mtimeUs: 0, mode: 0o644, ino: 0, checksum: null, linkTarget: null } as const;

describe('core/engine/owner', () => {
  it('passes -1 for an id the session does not carry, or the sender did not send', () => {
    expect(ownerIds({ ...entry, uid: 5, gid: 6 }, { uid: true, gid: false })).to.deep.equal({ uid: 5, gid: -1 });
    expect(ownerIds({ ...entry, uid: 5, gid: 6 }, { uid: false, gid: true })).to.deep.equal({ uid: -1, gid: 6 });
    expect(ownerIds({ ...entry, uid: 0, gid: null }, { uid: true, gid: true })).to.deep.equal({ uid: 0, gid: -1 });
    expect(ownerIds({ ...entry, uid: 5, gid: 6 }, { uid: false, gid: false })).to.equal(undefined);
    expect(ownerIds(entry, { uid: true, gid: true })).to.equal(undefined);
  });

  it('returns no note when the change is made', () => {
    const side = refusing('EPERM', () => false);
    expect(applyOwner(side.chown, { uid: 5, gid: 6 })).to.equal('');
    expect(side.calls).to.deep.equal(['5:6']);
  });

  it('keeps the path and says the owner was not kept when a side without root may not give it away', () => {
    const side = refusing('EPERM', (uid) => uid !== -1);
    expect(applyOwner(side.chown, { uid: 5, gid: -1 })).to.equal('owner not kept: changing owners needs root on this side');
  });

  it('still gives the group when only the owner is refused', () => {
    const side = refusing('EPERM', (uid) => uid !== -1);
    expect(applyOwner(side.chown, { uid: 5, gid: 6 })).to.equal('owner not kept: changing owners needs root on this side');
    expect(side.calls).to.deep.equal(['5:6', '-1:6']);
  });

  it('says neither was kept when the group is refused too', () => {
    const side = refusing('EPERM', () => true);
    expect(applyOwner(side.chown, { uid: 5, gid: 6 })).to.equal('owner and group not kept: changing owners needs root on this side');
  });

  it('says the group was not kept when a group the user is not in is refused', () => {
    const side = refusing('EPERM', () => true);
    expect(applyOwner(side.chown, { uid: -1, gid: 6 })).to.equal('group not kept: needs root, or membership of that group, on this side');
  });

  it('keeps the path when the id cannot be mapped here (EINVAL, a user namespace)', () => {
    const side = refusing('EINVAL', () => true);
    expect(applyOwner(side.chown, { uid: 5, gid: -1 })).to.equal('owner not kept: this side cannot map that id (EINVAL)');
  });

  it('lets any other failure through: the path is an error then, not a note', () => {
    const side = refusing('EIO', () => true);
    expect(() => applyOwner(side.chown, { uid: 5, gid: 6 })).to.throw('EIO');
  });
});
