import { wholeNumber } from './config-checks.js';
import { DEFAULT_LOG_ROTATION, type LogFileSettings, type LogRotation } from './log-file.js';

export const LOG_FILE_KEYS = ['logDir', 'logRotate'];

/** ROTATION_RANGES bound "logRotate": at least a few lines per file, at most a terabyte; 1 to 100 old files. */
const ROTATION_RANGES: Readonly<Record<keyof LogRotation, readonly [number, number]>> = {
  maxBytes: [4096, 2 ** 40],
  keep: [1, 100],
};

/**
 * readLogSettings reads "logDir" (inDir resolves it as the config file's directory would) and
 * "logRotate"; undefined without logDir, where "logRotate" would mean nothing and is refused.
 * bad throws the one-line config error.
 */
export function readLogSettings(config: Readonly<Record<string, unknown>>, inDir: (path: string) => string,
  bad: (what: string) => never): LogFileSettings | undefined {
  const { logDir, logRotate } = config;
  if (logDir === undefined) {
    if (logRotate !== undefined) bad('"logRotate" needs "logDir": without it the reactor logs to stdout and stderr');
    return undefined;
  }
  if (typeof logDir !== 'string' || logDir === '') bad('"logDir" must be a non-empty string');
  const rotate = logRotate ?? {};
  if (typeof rotate !== 'object' || rotate === null || Array.isArray(rotate)) bad('"logRotate" must be an object');
  const given = rotate as Record<string, unknown>;
  const unknown = Object.keys(given).find((key) => !(key in ROTATION_RANGES));
  if (unknown !== undefined) bad(`unknown key "logRotate.${unknown}"; the keys are ${Object.keys(ROTATION_RANGES).join(', ')}`);
  const whole = (key: keyof LogRotation): number =>
    wholeNumber(given[key] ?? DEFAULT_LOG_ROTATION[key], `logRotate.${key}`, ...ROTATION_RANGES[key], bad);
  return { dir: inDir(logDir as string), maxBytes: whole('maxBytes'), keep: whole('keep') };
}
