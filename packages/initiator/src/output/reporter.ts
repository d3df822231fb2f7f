/** Reporter writes what a run has to say: human lines, or one JSON event per line. */
export interface Reporter {
  /** event reports a named happening; human output shows `text`, JSON output the fields. */
  event(name: string, text: string, fields: Record<string, unknown>): void;
  /** perPath reports one path's outcome; silent under --quiet. */
  perPath(outcome: string, path: string): void;
  warn(text: string): void;
}

/** createReporter picks the output style of the command line. */
export function createReporter(options: { json: boolean; quiet: boolean },
  out: (text: string) => void = (text) => process.stdout.write(text),
  err: (text: string) => void = (text) => process.stderr.write(text)): Reporter {
  if (options.json) {
    return {
      event: (name, _text, fields) => out(`${JSON.stringify({ event: name, ...fields })}\n`),
      perPath: (outcome, path) => out(`${JSON.stringify({ event: 'path', outcome, path })}\n`),
      warn: (text) => err(`${text}\n`),
    };
  }
  return {
    event: (_name, text) => out(`${text}\n`),
    perPath: (outcome, path) => {
      if (!options.quiet) out(`${outcome} ${path}\n`);
    },
    warn: (text) => err(`${text}\n`),
  };
}
