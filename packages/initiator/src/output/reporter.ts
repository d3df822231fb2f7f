import type { Outcome, PathResult } from '@snapsync/core';
import { ProgressBar } from './progress.js';

/** LABELS name outcomes as Aspera's per-path lines do. */
/** SourceVerdict is what --remove-after-transfer did with the sending side's copy of a path. */
export type SourceVerdict = NonNullable<PathResult['source']>;

export const LABELS: Record<Outcome, string> = {
  synchronized: 'SYNCHRONIZED',
  exists: 'SYNCHRONIZED(exs)',
  deleted: 'SYNCHRONIZED(del)',
  moved: 'SYNCHRONIZED(mov)',
  skipped: 'SYNCHRONIZED(skp)',
  conflict: 'CONFLICT',
  error: 'ERROR',
  // Never printed (the other pass's line says what became of the path); here for completeness.
  superseded: 'SUPERSEDED',
};

/** pathLine is one path's human line: `/a/b.txt SYNCHRONIZED(skp) (why)`. */
export function pathLine(outcome: Outcome, path: string, message?: string): string {
  return `/${path} ${LABELS[outcome]}${message ? ` (${message})` : ''}`;
}

/** Reporter writes what a run has to say: human lines, or one JSON event per line. */
export interface Reporter {
  /** event reports a named happening; human output shows `text`, JSON output the fields. */
  event(name: string, text: string, fields: Record<string, unknown>): void;
  /**
   * perPath reports one path's outcome (and why, for a skip or an error); silent under --quiet.
   * source is what --remove-after-transfer did with the sending side's copy (JSON field "source").
   */
  perPath(outcome: Outcome, path: string, message?: string, source?: SourceVerdict): void;
  warn(text: string): void;
  /**
   * transfer starts a progress bar for one transfer, to be closed when it ends; undefined when
   * none is shown, so the engine skips the bookkeeping behind it.
   */
  transfer(): ProgressBar | undefined;
}

export interface ReporterOptions {
  readonly json: boolean;
  readonly quiet: boolean;
  /** progress: stdout is a terminal that can take a bar (default: process.stdout.isTTY). */
  readonly progress?: boolean;
  /** dryRun marks every JSON event `"dryRun":true`, so a consumer cannot take it for a real run. */
  readonly dryRun?: boolean;
  /**
   * session is set when several sessions share the output: every text line starts `[NAME] `
   * and every JSON event carries `"session":NAME`.
   */
  readonly session?: string;
}

/** prefixLines starts every line written through `write` with `prefix`. */
export function prefixLines(prefix: string, write: (text: string) => void): (text: string) => void {
  return (text) => write(text.replace(/^(?!$)/gm, prefix));
}

/** createReporter picks the output style of the command line. */
export function createReporter(options: ReporterOptions,
  stdout: (text: string) => void = (text) => process.stdout.write(text),
  stderr: (text: string) => void = (text) => process.stderr.write(text)): Reporter {
  const tag = options.session === undefined ? undefined : `[${options.session}] `;
  const err = tag === undefined ? stderr : prefixLines(tag, stderr);
  if (options.json) {
    const mark = { ...(options.session === undefined ? {} : { session: options.session }), ...(options.dryRun === true ? { dryRun: true } : {}) };
    return {
      event: (name, _text, fields) => stdout(`${JSON.stringify({ event: name, ...mark, ...fields })}\n`),
      perPath: (outcome, path, message, source) =>
        stdout(`${JSON.stringify({ event: 'path', ...mark, outcome, path, ...(message ? { message } : {}), ...(source ? { source } : {}) })}\n`),
      warn: (text) => err(`${text}\n`),
      transfer: () => undefined,
    };
  }
  const out = tag === undefined ? stdout : prefixLines(tag, stdout);
  const showBar = !options.quiet && (options.progress ?? process.stdout.isTTY === true);
  let bar: ProgressBar | undefined;
  // Every line, stderr's too, first erases the bar: both streams share the terminal's line.
  const print = (write: (text: string) => void, line: string): void => {
    bar?.clear();
    write(line);
  };
  return {
    event: (_name, text) => print(out, `${text}\n`),
    perPath: (outcome, path, message) => {
      if (options.quiet && outcome !== 'error') return;
      const line = `${pathLine(outcome, path, message)}\n`;
      print(outcome === 'error' ? err : out, line);
    },
    warn: (text) => print(err, `${text}\n`),
    transfer: () => {
      if (!showBar) return undefined;
      bar?.close();
      bar = new ProgressBar({ write: out, columns: () => process.stdout.columns });
      return bar;
    },
  };
}
