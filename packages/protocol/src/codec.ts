import type { Direction, ErrorCode } from '@snapsync/core';
import { protocolError } from './errors.js';
import { MAX_PATH, MAX_TEXT } from './limits.js';
import type { Frame, Message } from './messages.js';
import { wire } from './wire.js';

const DIRECTIONS: Record<Direction, number> = {
  push: wire.Direction.DIRECTION_PUSH,
  pull: wire.Direction.DIRECTION_PULL,
  bidi: wire.Direction.DIRECTION_BIDI,
};

const CHECKSUMS = new Set(['sha256', 'sha1', 'md5', 'none']);
const WIRE_ERROR_CODES = wire.ErrorCode as unknown as Record<string, number>;

/** encodeFrame turns a frame into one binary WebSocket message. */
export function encodeFrame(frame: Frame): Uint8Array {
  return wire.Envelope.encode({ id: frame.id, ...toWire(frame.message) }).finish();
}

/**
 * decodeFrame parses and validates one message from the network. Anything malformed,
 * out of range or missing throws a coded error; nothing unchecked gets past here.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  let envelope: ReturnType<typeof wire.Envelope.decode>;
  try {
    envelope = wire.Envelope.decode(bytes);
  } catch (err) {
    throw protocolError('MALFORMED_FRAME', `malformed frame: ${(err as Error).message}`, err);
  }
  return { id: envelope.id, message: fromWire(envelope) };
}

function toWire(message: Message): Record<string, unknown> {
  switch (message.kind) {
    case 'openSession':
      return { openSession: { ...message, direction: DIRECTIONS[message.direction] } };
    case 'error':
      return { error: { code: WIRE_ERROR_CODES[message.code] ?? wire.ErrorCode.INTERNAL, message: message.message } };
    case 'auth':
      return { auth: { user: message.user, password: message.password, key: message.key } };
    default: {
      const { kind, ...fields } = message;
      return { [kind]: fields };
    }
  }
}

function fromWire(envelope: ReturnType<typeof wire.Envelope.decode>): Message {
  switch (envelope.body) {
    case 'hello': {
      const m = envelope.hello!;
      return {
        kind: 'hello',
        magic: text(m.magic ?? '', 'hello.magic', 64),
        protocolVersion: m.protocolVersion ?? 0,
        features: list(m.features ?? [], 'hello.features'),
        clientName: text(m.clientName ?? '', 'hello.clientName'),
      };
    }
    case 'welcome': {
      const m = envelope.welcome!;
      const platform = m.platform;
      if (platform !== 'posix' && platform !== 'win32') throw invalid(`welcome.platform "${String(platform)}" is unknown`);
      return {
        kind: 'welcome',
        protocolVersion: m.protocolVersion ?? 0,
        features: list(m.features ?? [], 'welcome.features'),
        serverName: text(m.serverName ?? '', 'welcome.serverName'),
        authChallenge: bytes(m.authChallenge, 'welcome.authChallenge', 32, 32),
        platform,
      };
    }
    case 'auth': {
      const m = envelope.auth!;
      const user = text(m.user ?? '', 'auth.user', 256);
      if (user.length === 0) throw invalid('auth.user is empty');
      if (m.method === 'password') return { kind: 'auth', user, password: text(m.password ?? '', 'auth.password') };
      if (m.method === 'key') {
        return {
          kind: 'auth',
          user,
          key: {
            publicKey: bytes(m.key?.publicKey, 'auth.key.publicKey', 32, 32),
            signature: bytes(m.key?.signature, 'auth.key.signature', 64, 64),
          },
        };
      }
      throw invalid('auth names no method (password or key)');
    }
    case 'authOk':
      return { kind: 'authOk', user: text(envelope.authOk!.user ?? '', 'authOk.user', 256) };
    case 'openSession': {
      const m = envelope.openSession!;
      const direction = (Object.keys(DIRECTIONS) as Direction[]).find((d) => DIRECTIONS[d] === m.direction);
      if (direction === undefined) throw invalid(`openSession.direction ${String(m.direction)} is unknown`);
      const checksum = text(m.checksum ?? '', 'openSession.checksum', 16);
      if (!CHECKSUMS.has(checksum)) throw invalid(`openSession.checksum "${checksum}" is unknown`);
      const remoteDir = path(m.remoteDir ?? '', 'openSession.remoteDir');
      if (remoteDir.length === 0) throw invalid('openSession.remoteDir is empty');
      return {
        kind: 'openSession',
        name: text(m.name ?? '', 'openSession.name', 256),
        remoteDir,
        remoteDbDir: path(m.remoteDbDir ?? '', 'openSession.remoteDbDir'),
        direction,
        localDbExisted: m.localDbExisted === true,
        reset: m.reset === true,
        createDir: m.createDir === true,
        localDir: path(m.localDir ?? '', 'openSession.localDir'),
        localHost: text(m.localHost ?? '', 'openSession.localHost', 256),
        localDbPath: path(m.localDbPath ?? '', 'openSession.localDbPath'),
        checksum,
      };
    }
    case 'sessionOpened': {
      const m = envelope.sessionOpened!;
      return {
        kind: 'sessionOpened',
        sessionId: text(m.sessionId ?? '', 'sessionOpened.sessionId', 64),
        remoteDbPath: path(m.remoteDbPath ?? '', 'sessionOpened.remoteDbPath'),
        remoteDbExisted: m.remoteDbExisted === true,
        remoteDir: path(m.remoteDir ?? '', 'sessionOpened.remoteDir'),
      };
    }
    case 'finishSession':
      return { kind: 'finishSession', ok: envelope.finishSession!.ok === true };
    case 'sessionFinished':
      return { kind: 'sessionFinished' };
    case 'error': {
      const m = envelope.error!;
      const name = Object.keys(WIRE_ERROR_CODES).find((key) => WIRE_ERROR_CODES[key] === m.code);
      const code = (name === undefined || name === 'ERROR_CODE_UNSPECIFIED' ? 'INTERNAL' : name) as ErrorCode;
      return { kind: 'error', code, message: text(m.message ?? '', 'error.message', 4 * MAX_TEXT) };
    }
    default:
      throw invalid('frame carries no message');
  }
}

function invalid(message: string): Error {
  return protocolError('INVALID_MESSAGE', `invalid message: ${message}`);
}

function text(value: string, field: string, max = MAX_TEXT): string {
  if (value.length > max) throw invalid(`${field} is longer than ${max} characters`);
  if (value.includes('\0')) throw invalid(`${field} contains a NUL character`);
  return value;
}

function path(value: string, field: string): string {
  return text(value, field, MAX_PATH);
}

function list(values: readonly string[], field: string): string[] {
  if (values.length > 32) throw invalid(`${field} has more than 32 entries`);
  return values.map((value) => text(value, field, 64));
}

function bytes(value: Uint8Array | null | undefined, field: string, min: number, max: number): Uint8Array {
  const length = value?.length ?? 0;
  if (length < min || length > max) throw invalid(`${field} must be ${min === max ? min : `${min}-${max}`} bytes, not ${length}`);
  return value!;
}
