import type { Outcome } from '@snapsync/core';

/** LABELS name outcomes as Aspera's per-path lines do. */
export const LABELS: Record<Outcome, string> = {
  synchronized: 'SYNCHRONIZED',
  exists: 'SYNCHRONIZED(exs)',
  deleted: 'SYNCHRONIZED(del)',
  moved: 'SYNCHRONIZED(mov)',
  skipped: 'SYNCHRONIZED(skp)',
  conflict: 'CONFLICT',
  error: 'ERROR',
};

/** Reporter writes what a run has to say: human lines, or one JSON event per line. */
export interface Reporter {
  /** event reports a named happening; human output shows `text`, JSON output the fields. */
  event(name: string, text: string, fields: Record<string, unknown>): void;
  /** perPath reports one path's outcome (and why, for a skip or an error); silent under --quiet. */
  perPath(outcome: Outcome, path: string, message?: string): void;
  warn(text: string): void;
}

/** createReporter picks the output style of the command line. */
export function createReporter(options: { json: boolean; quiet: boolean },
  out: (text: string) => void = (text) => process.stdout.write(text),
  err: (text: string) => void = (text) => process.stderr.write(text)): Reporter {
  if (options.json) {
    return {
      event: (name, _text, fields) => out(`${JSON.stringify({ event: name, ...fields })}\n`),
      perPath: (outcome, path, message) => out(`${JSON.stringify({ event: 'path', outcome, path, ...(message ? { message } : {}) })}\n`),
      warn: (text) => err(`${text}\n`),
    };
  }
  return {
    event: (_name, text) => out(`${text}\n`),
    perPath: (outcome, path, message) => {
      if (options.quiet && outcome !== 'error') return;
      const line = `/${path} ${LABELS[outcome]}${message ? ` (${message})` : ''}\n`;
      if (outcome === 'error') err(line);
      else out(line);
    },
    warn: (text) => err(`${text}\n`),
  };
}
