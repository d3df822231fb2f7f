import { expect } from 'chai';
import { assertLocalFileSystem, networkFileSystemName, statfsTypeOf } from '@snapsync/core/internal';
import { tempDir } from '../../helpers/temp-dir.js';

describe('core/storage/file-system-type', () => {
  const network: [number, string][] = [
    [0x6969, 'NFS'],
    [0xff534d42, 'CIFS'],
    [0xfe534d42, 'SMB2'],
    [0x517b, 'SMB'],
  ];
  for (const [magic, name] of network) {
    it(`names 0x${magic.toString(16)} as ${name}`, () => {
      expect(networkFileSystemName(magic)).to.equal(name);
    });
  }

  it('recognizes a magic number statfs reported as a negative 32-bit integer', () => {
    expect(networkFileSystemName(0xff534d42 | 0)).to.equal('CIFS');
    expect(networkFileSystemName(0xfe534d42 | 0)).to.equal('SMB2');
  });

  it('finds no network file system in ext4 (0xef53), tmpfs or btrfs', () => {
    expect(networkFileSystemName(0xef53)).to.equal(undefined);
    expect(networkFileSystemName(0x01021994)).to.equal(undefined);
    expect(networkFileSystemName(0x9123683e)).to.equal(undefined);
  });

  it('reads a real directory\'s type as a number', () => {
    const type = statfsTypeOf(tempDir());
    expect(type === undefined || typeof type === 'number').to.equal(true);
    if (process.platform === 'linux') expect(type).to.be.a('number');
  });

  it('reads no type for a directory that does not exist', () => {
    expect(statfsTypeOf('/nonexistent/snapsync/dir')).to.equal(undefined);
  });

  it('refuses an NFS directory with DB_ON_NETWORK_FS, naming it and -b/-B', () => {
    expect(() => assertLocalFileSystem('/mnt/share', () => 0x6969))
      .to.throw('snapshot DB directory /mnt/share is on a network file system (NFS); choose a local disk with -b/-B')
      .with.property('code', 'DB_ON_NETWORK_FS');
  });

  it('accepts a local directory and one whose type is unknown', () => {
    expect(() => assertLocalFileSystem('/x', () => 0xef53)).not.to.throw();
    expect(() => assertLocalFileSystem('/x', () => undefined)).not.to.throw();
  });

  it('asks about the directory it was given', () => {
    const asked: string[] = [];
    assertLocalFileSystem('/some/dir', (dir) => {
      asked.push(dir);
      return 0xef53;
    });
    expect(asked).to.deep.equal(['/some/dir']);
  });
});
