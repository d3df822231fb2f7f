import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEATURES, MAGIC, PROTOCOL_VERSION, SNAPSYNC_VERSION, sharedFeatures, versionLine } from '@snapsync/protocol';

describe('protocol/version', () => {
  it('names one program version, the one every package carries', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    for (const pkg of ['.', 'packages/core', 'packages/protocol', 'packages/reactor', 'packages/initiator']) {
      const { version } = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8')) as { version: string };
      expect(version, pkg).to.equal(SNAPSYNC_VERSION);
    }
    expect(versionLine('snapsync')).to.equal(`snapsync ${SNAPSYNC_VERSION} (protocol ${PROTOCOL_VERSION})`);
  });

  it('opens every Hello with the magic "snapsync" at protocol version 1', () => {
    expect(MAGIC).to.equal('snapsync');
    expect(PROTOCOL_VERSION).to.equal(1);
  });

  it('keeps the features both ends named, in our order', () => {
    expect(sharedFeatures(['a', 'b', 'c'], ['c', 'x', 'a'])).to.deep.equal(['a', 'c']);
  });

  it('shares nothing when either end names no features', () => {
    expect(sharedFeatures([], ['a'])).to.deep.equal([]);
    expect(sharedFeatures(['a'], [])).to.deep.equal([]);
  });

  it('matches feature names exactly', () => {
    expect(sharedFeatures(['resume', 'Zstd'], ['RESUME', 'zstd', 'resume2'])).to.deep.equal([]);
  });

  it('shares all of this build\'s features with itself', () => {
    expect(sharedFeatures(FEATURES, FEATURES)).to.deep.equal([...FEATURES]);
  });
});
