import { expect } from 'chai';
import { keyLoginTranscript } from '@snapsync/protocol';

describe('protocol/key-login', () => {
  const challenge = new Uint8Array(32).fill(0xab);

  it('signs a fixed label, the user name and the challenge, NUL-separated', () => {
    const transcript = Buffer.from(keyLoginTranscript('alice', challenge));
    expect(transcript.equals(Buffer.concat([
      Buffer.from('snapsync key login v1\0alice\0'), Buffer.from(challenge),
    ]))).to.equal(true);
  });

  it('gives different users different transcripts for one challenge', () => {
    const alice = Buffer.from(keyLoginTranscript('alice', challenge));
    const bob = Buffer.from(keyLoginTranscript('bob', challenge));
    expect(alice.equals(bob)).to.equal(false);
  });

  it('cannot be shifted between the user name and the challenge', () => {
    // Without the NUL after the name, user "a" + challenge "b..." would equal user "ab" + "...".
    const one = Buffer.from(keyLoginTranscript('a', Buffer.from('bc')));
    const two = Buffer.from(keyLoginTranscript('ab', Buffer.from('c')));
    expect(one.equals(two)).to.equal(false);
  });

  it('encodes the user name as UTF-8', () => {
    const transcript = Buffer.from(keyLoginTranscript('zoë', new Uint8Array(0)));
    expect(transcript.subarray(22).equals(Buffer.from('zoë\0', 'utf8'))).to.equal(true);
  });
});
