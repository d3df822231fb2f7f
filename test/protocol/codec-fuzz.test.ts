import { expect } from 'chai';
import { isSnapsyncError } from '@snapsync/core';
import { decodeFrame, encodeFrame, type Frame, type Message } from '@snapsync/protocol/internal';
import { mulberry32 } from '../helpers/seeded-random.js';

function randomBytes(next: () => number, maxLength: number): Uint8Array {
  const bytes = new Uint8Array(Math.floor(next() * (maxLength + 1)));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, plain(field)]));
  }
  return value;
}

const KINDS = new Set(['hello', 'welcome', 'auth', 'authOk', 'openSession', 'sessionOpened', 'finishSession', 'sessionFinished', 'error',
  'startPass']);

type Outcome = 'accepted' | 'refused';

/** check decodes bytes and holds decodeFrame to its contract, whatever the bytes are. */
function check(bytes: Uint8Array): Outcome {
  let frame: Frame;
  try {
    frame = decodeFrame(bytes);
  } catch (err) {
    if (!isSnapsyncError(err)) {
      throw new Error(`uncoded ${String(err)} for ${Buffer.from(bytes).toString('hex')}`);
    }
    expect(['MALFORMED_FRAME', 'INVALID_MESSAGE'], Buffer.from(bytes).toString('hex')).to.include(err.code);
    return 'refused';
  }
  expect(frame.id).to.be.a('number');
  expect(KINDS.has(frame.message.kind), frame.message.kind).to.equal(true);
  // Whatever was accepted is valid: it re-encodes to the same frame.
  expect(plain(decodeFrame(encodeFrame(frame))), Buffer.from(bytes).toString('hex')).to.deep.equal(plain(frame));
  return 'accepted';
}

const seeds: Message[] = [
  { kind: 'hello', magic: 'snapsync', protocolVersion: 1, features: ['a', 'bb'], clientName: 'snapsync 0.1.0', platform: 'posix' },
  { kind: 'welcome', protocolVersion: 1, features: [], serverName: 'r', authChallenge: new Uint8Array(32).fill(3), platform: 'posix' },
  { kind: 'auth', user: 'alice', password: 'pw' },
  { kind: 'auth', user: 'carol', token: `sst_${'t'.repeat(43)}` },
  { kind: 'auth', user: 'bob', key: { publicKey: new Uint8Array(32).fill(1), signature: new Uint8Array(64).fill(2) } },
  { kind: 'authOk', user: 'alice' },
  {
    kind: 'openSession', name: 's1', remoteDir: 'data', remoteDbDir: '', direction: 'bidi', localDbExisted: true,
    reset: false, createDir: true, localDir: '/home/u', localHost: 'h', localDbPath: '/home/u/.private-asp/s1/snap.db', checksum: 'md5',
    dryRun: true, generation: '', startupToken: '',
  },
  { kind: 'sessionOpened', sessionId: 'id', remoteDbPath: 'p', remoteDbExisted: true, remoteDir: 'd', generation: '' },
  { kind: 'startPass', reactorSends: true, keptOnly: false },
  { kind: 'finishSession', ok: true, generation: '', keepOpen: false },
  { kind: 'sessionFinished' },
  { kind: 'error', code: 'AUTH_FAILED', message: 'no' },
];

describe('protocol/codec fuzz', () => {
  it('answers 2,000 random byte buffers with a frame or a coded error', () => {
    const next = mulberry32(0x5eed);
    const outcomes = { accepted: 0, refused: 0 };
    for (let i = 0; i < 2000; i++) outcomes[check(randomBytes(next, 128))]++;
    expect(outcomes.refused).to.be.greaterThan(0);
  });

  it('answers 2,000 mutations of valid frames with a frame or a coded error', () => {
    const next = mulberry32(20240601);
    const outcomes = { accepted: 0, refused: 0 };
    for (let i = 0; i < 2000; i++) {
      const seed = seeds[i % seeds.length]!;
      const bytes = Uint8Array.from(encodeFrame({ id: i, message: seed }));
      const flips = 1 + Math.floor(next() * 3);
      for (let f = 0; f < flips; f++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
      const cut = next() < 0.2 ? Math.floor(next() * bytes.length) : bytes.length;
      outcomes[check(bytes.subarray(0, cut))]++;
    }
    // Both paths are exercised, so the contract is checked on each.
    expect(outcomes.accepted).to.be.greaterThan(100);
    expect(outcomes.refused).to.be.greaterThan(100);
  });
});
