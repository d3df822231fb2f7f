import { MAX_DELETE_COUNT, parseBitRate, type DeleteLimit } from '@snapsync/core';
import { usageError } from '../errors.js';

/** parseRate reads `-l` like Aspera: bits per second with an optional k/M/G suffix (`100M`, `500m`). */
export function parseRate(text: string): number {
  const bits = parseBitRate(text);
  if (bits !== undefined) return bits;
  if (/^0+(?:\.0+)?[kKmMgG]?(?:bps)?$/.test(text.trim())) throw usageError(`--target-rate ${text} must be more than zero`);
  throw usageError(`--target-rate ${text} is not a rate; write it like 100M (100 Mbit/s), 500k or 1G`);
}

/** parseLogDir reads `-L DIR[:MB]`; a drive letter's colon (`c:/logs`) is part of DIR. */
export function parseLogDir(text: string): { dir: string; rotateMb: number | undefined } {
  const match = /^(.+?):(\d+)$/.exec(text);
  if (match && !/^[A-Za-z]$/.test(match[1] ?? '')) {
    const rotateMb = Number(match[2]);
    if (rotateMb < 1) throw usageError(`--alt-logdir ${text}: the rotation size must be at least 1 MB`);
    return { dir: match[1]!, rotateMb };
  }
  if (text.length === 0) throw usageError('--alt-logdir is empty; give DIR or DIR:MB');
  return { dir: text, rotateMb: undefined };
}

/** checkRange refuses a number outside [min, max] or not an integer where one is needed. */
export function checkRange(flag: string, value: number, min: number, max: number, integer: boolean): number {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'a whole number' : 'a number';
    throw usageError(`${flag} ${value} must be ${kind} from ${min} to ${max}`);
  }
  return value;
}

/**
 * parseMaxDelete reads `--max-delete N|P%`: a whole number of paths, or a whole percentage of
 * the synchronized paths (0% to 100%). 0 refuses any deletion, as rsync's --max-delete=0.
 */
export function parseMaxDelete(text: string): DeleteLimit {
  if (text.length === 0) throw usageError('--max-delete is empty; give a number of paths (100) or a percentage of the synchronized paths (25%)');
  const match = /^(\d+)(%?)$/.exec(text);
  if (match === null) {
    throw usageError(`--max-delete ${text} is not a limit; give a number of paths (100) or a percentage of the synchronized paths (25%)`);
  }
  const value = Number(match[1]);
  if (match[2] === '%') {
    if (value > 100) throw usageError(`--max-delete ${text} is over 100%; give a percentage from 0% to 100%`);
    return { kind: 'percent', percent: value };
  }
  if (value > MAX_DELETE_COUNT) {
    throw usageError(`--max-delete ${text} is more than ${MAX_DELETE_COUNT}; give a smaller number, or lift the guard with --allow-mass-delete`);
  }
  return { kind: 'count', count: value };
}
