import { currentPlatform } from '@snapsync/core';
import { readFileSync, statSync } from 'node:fs';
import { usageError } from '../errors.js';
import type { ConfSource } from './session-conf.js';

/** LoadedConf is a conf's JSON and where it came from. */
export interface LoadedConf {
  readonly json: unknown;
  readonly source: ConfSource;
}

/**
 * loadConf reads `--conf FILE` or `--conf64 BASE64`. A file whose mode lets other users read it
 * may hold no secret; nor may --conf64: a command line is visible to every user (ps).
 */
export function loadConf(file: string | undefined, base64: string | undefined): LoadedConf | undefined {
  if (file !== undefined && base64 !== undefined) throw usageError('--conf and --conf64 both give sessions; give one of them');
  if (file !== undefined) return fromFile(file);
  if (base64 === undefined) return undefined;
  const compact = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1 || compact.length === 0) {
    throw usageError('--conf64 is not base64; encode the JSON with: base64 -w0 FILE');
  }
  const source = {
    label: '--conf64',
    exposed: 'a command line is visible to every user (ps); put the session in a file only you can read (chmod 600) and give --conf FILE',
  };
  return { json: parse(Buffer.from(compact, 'base64').toString('utf8'), source.label), source };
}

function fromFile(file: string): LoadedConf {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(file, 'utf8');
    mode = statSync(file).mode & 0o7777;
  } catch (err) {
    throw usageError(`cannot read --conf ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // Windows keeps no such bits (its ACLs decide), so there is nothing to check there.
  const readable = currentPlatform !== 'win32' && (mode & 0o044) !== 0;
  const exposed = readable ? `its mode ${mode.toString(8).padStart(4, '0')} lets other users read it; chmod 600 ${file}` : undefined;
  return { json: parse(text, file), source: { label: file, exposed } };
}

function parse(text: string, label: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw usageError(`${label}: not valid JSON: ${(err as Error).message}`);
  }
}
