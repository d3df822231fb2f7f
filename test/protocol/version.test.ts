import { expect } from 'chai';
import { FEATURES, MAGIC, PROTOCOL_VERSION, sharedFeatures } from '@snapsync/protocol';

describe('protocol/version', () => {
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
