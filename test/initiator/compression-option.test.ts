import { expect } from 'chai';
import { codecAvailable } from '@snapsync/core';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync } from '../helpers/run-cli.js';
import { tempPair } from '../helpers/temp-dir.js';

describe('initiator: --compression', () => {
  it('refuses zstd with one line and exit 2 on a Node that lacks it (before 22.15), before anything is opened; takes it on one that has it', async () => {
    const { local, remote } = tempPair();
    writeFileSync(join(local, 'a.txt'), 'a');
    const result = await snapsync(['-N', 'zstd', '-d', local, '-r', remote, '--compression', 'zstd']);
    if (codecAvailable('zstd')) {
      expect(result.code, result.stderr).to.equal(0);
      expect(readFileSync(join(remote, 'a.txt'), 'utf8')).to.equal('a');
      return;
    }
    expect(result.code, result.stderr).to.equal(2);
    expect(result.stderr.trim()).to.equal(`snapsync: --compression zstd needs Node 22.15 or later (this is ${process.version}); use --compression zlib`);
    expect(existsSync(join(local, '.private-asp'))).to.equal(false);
  });

  it('refuses a compression it does not know with one line and exit 2', async () => {
    const { local, remote } = tempPair();
    const result = await snapsync(['-N', 'gzip', '-d', local, '-r', remote, '--compression', 'gzip']);
    expect(result.code, result.stderr).to.equal(2);
    expect(result.stderr.trim()).to.equal('snapsync: --compression gzip is not one of none, zlib, zstd');
  });

  it('says in a dry run that file data would go compressed, and changes nothing on either side', async () => {
    const { local, remote } = tempPair();
    writeFileSync(join(local, 'a.log'), 'line\n'.repeat(10_000));
    const result = await snapsync(['-N', 'dry', '-d', local, '-r', remote, '--compression', 'zlib', '--dry-run']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('found 1 files to synchronize (50000 bytes to send)');
    expect(result.stdout).to.contain('; file data would go compressed with zlib, chunk by chunk where it shrinks (--compression)');
    expect(readdirSync(remote)).to.deep.equal([]);
    expect(existsSync(join(local, '.private-asp', 'dry'))).to.equal(false);
  });

  it('reads none as no compression: the summary counts no wire bytes', async () => {
    const { local, remote } = tempPair();
    writeFileSync(join(local, 'a.log'), 'line\n'.repeat(10_000));
    const result = await snapsync(['-N', 'none', '-d', local, '-r', remote, '--compression', 'NONE', '--json']);
    expect(result.code, result.stderr).to.equal(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(summary).to.include({ event: 'summary', files: 1 });
    expect(summary).to.not.have.any.keys('dataBytes', 'wireBytes', 'compression');
  });
});
