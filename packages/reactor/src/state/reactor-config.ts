import type { CreateModes } from '@snapsync/core';
import { MAX_FRAME_BYTES } from '@snapsync/protocol';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { setupError } from '../errors.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../log.js';
import { wholeNumber } from './config-checks.js';
import { CREATE_MODE_KEYS, readCreateModes } from './create-modes.js';
import type { LogFileSettings } from './log-file.js';
import { LOG_FILE_KEYS, readLogSettings } from './log-settings.js';
import { readAdminConfig, type AdminConfig } from './admin-config.js';

/** Limits bound what one reactor gives its clients. */
export interface Limits {
  /** maxSessions: sessions open at once; one more is refused with REACTOR_BUSY. */
  readonly maxSessions: number;
  /** maxFrameBytes: the largest message accepted after login. */
  readonly maxFrameBytes: number;
  /** idleTimeoutSeconds: a connection that sends nothing (not even a pong) this long is dropped. */
  readonly idleTimeoutSeconds: number;
  /** maxSessionsPerUser: sessions one user may have open at once (at most maxSessions). */
  readonly maxSessionsPerUser: number;
  /** stallTimeoutSeconds: a session owed traffic that moves no message this long is ended, pings or not. */
  readonly stallTimeoutSeconds: number;
  /** maxPendingLogins: connections not logged in yet, from TCP accept on (raw TLS sockets included). */
  readonly maxPendingLogins: number;
  /** maxPendingLoginsPerAddress: the same, from one source address (an IPv6 /64 counts as one). */
  readonly maxPendingLoginsPerAddress: number;
  /** tlsHandshakeSeconds: a TCP connection must finish its TLS handshake within this. */
  readonly tlsHandshakeSeconds: number;
  /** helloTimeoutSeconds: after TLS, the WebSocket upgrade and the first message must come within this. */
  readonly helloTimeoutSeconds: number;
  /** loginTimeoutSeconds: a connection must be logged in this long after its TCP accept. */
  readonly loginTimeoutSeconds: number;
}

/** ReactorConfig is config.json in the state dir, or the file `serve --config` names. */
export interface ReactorConfig {
  readonly version: 1;
  readonly serverName: string;
  readonly listen: string;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly limits: Limits;
  /** stateDir: only in a file named by --config; where the identity and users live. */
  readonly stateDir?: string;
  /** dbDir: where the reactor keeps its snapshot DBs, per user and sync dir (the server wins over -B). */
  readonly dbDir?: string;
  /** logFile: "logDir" and "logRotate"; without it the log goes to stdout and stderr. */
  readonly logFile?: LogFileSettings;
  /** createModes: "fileMode" and "directoryMode", what sessions make in users' trees gets. */
  readonly createModes?: CreateModes;
  /** admin: the admin listener (metrics, health, management API); none when absent. */
  readonly admin?: AdminConfig;
}

export const DEFAULT_LIMITS: Limits = {
  maxSessions: 64, maxFrameBytes: MAX_FRAME_BYTES, idleTimeoutSeconds: 60, maxSessionsPerUser: 8, stallTimeoutSeconds: 3600,
  maxPendingLogins: 64, maxPendingLoginsPerAddress: 8, tlsHandshakeSeconds: 10, helloTimeoutSeconds: 10, loginTimeoutSeconds: 20,
};

/** MIN_FRAME_BYTES leaves room for a 1 MiB chunk of file data and its header. */
const MIN_FRAME_BYTES = 2 * 1024 * 1024;

const KEYS = ['version', 'serverName', 'listen', 'logLevel', 'logFormat', 'limits', 'stateDir', 'dbDir', 'admin',
  ...LOG_FILE_KEYS, ...CREATE_MODE_KEYS];
const LIMIT_KEYS = Object.keys(DEFAULT_LIMITS);

/**
 * readConfig reads and checks a reactor config file: every key known, every value in range,
 * so a typo stops the start with one line naming the key instead of running on a default.
 */
export function readConfig(path: string): ReactorConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw setupError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; fix it (it is JSON)`);
  }
  const bad = (what: string): never => {
    throw setupError(`${path}: ${what}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('is not a JSON object');
  const config = raw as Record<string, unknown>;
  const unknown = Object.keys(config).find((key) => !KEYS.includes(key));
  if (unknown !== undefined) bad(`unknown key "${unknown}"; the keys are ${KEYS.join(', ')}`);
  if (config.version !== undefined && config.version !== 1) bad(`version ${String(config.version)} is not 1`);
  const text = (key: string, fallback: string): string => {
    const value = config[key] ?? fallback;
    if (typeof value !== 'string' || value === '') bad(`"${key}" must be a non-empty string`);
    return value as string;
  };
  const logLevel = text('logLevel', 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) bad(`"logLevel" ${logLevel} is not one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = text('logFormat', 'text');
  if (logFormat !== 'text' && logFormat !== 'json') bad(`"logFormat" ${logFormat} is not text or json`);
  const limits = config.limits ?? {};
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) bad('"limits" must be an object');
  const given = limits as Record<string, unknown>;
  const unknownLimit = Object.keys(given).find((key) => !LIMIT_KEYS.includes(key));
  if (unknownLimit !== undefined) bad(`unknown limit "${unknownLimit}"; the limits are ${LIMIT_KEYS.join(', ')}`);
  const whole = (key: keyof Limits, min: number, max: number): number =>
    wholeNumber(given[key] ?? DEFAULT_LIMITS[key], `limits.${key}`, min, max, bad);
  // A relative path is read from where the config file is.
  const inConfigDir = (dir: string): string => (isAbsolute(dir) ? dir : resolve(dirname(path), dir));
  const dir = (key: string): string | undefined => (config[key] === undefined ? undefined : inConfigDir(text(key, '')));
  const [stateDir, dbDir] = [dir('stateDir'), dir('dbDir')];
  const [logFile, createModes] = [readLogSettings(config, inConfigDir, bad), readCreateModes(config, bad)];
  const admin = readAdminConfig(config.admin, path, bad);
  return {
    version: 1,
    serverName: text('serverName', 'snapsync-reactor'),
    listen: text('listen', '127.0.0.1:9093'),
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat,
    limits: {
      maxSessions: whole('maxSessions', 1, 100_000),
      maxFrameBytes: whole('maxFrameBytes', MIN_FRAME_BYTES, 64 * 1024 * 1024),
      idleTimeoutSeconds: whole('idleTimeoutSeconds', 10, 86_400),
      maxSessionsPerUser: whole('maxSessionsPerUser', 1, 100_000),
      stallTimeoutSeconds: whole('stallTimeoutSeconds', 1, 7 * 86_400),
      maxPendingLogins: whole('maxPendingLogins', 1, 100_000),
      maxPendingLoginsPerAddress: whole('maxPendingLoginsPerAddress', 1, 100_000),
      tlsHandshakeSeconds: whole('tlsHandshakeSeconds', 1, 600),
      helloTimeoutSeconds: whole('helloTimeoutSeconds', 1, 600),
      loginTimeoutSeconds: whole('loginTimeoutSeconds', 1, 600),
    },
    ...(stateDir !== undefined ? { stateDir } : {}),
    ...(dbDir !== undefined ? { dbDir } : {}),
    ...(logFile !== undefined ? { logFile } : {}),
    ...(createModes !== undefined ? { createModes } : {}),
    ...(admin !== undefined ? { admin } : {}),
  };
}
