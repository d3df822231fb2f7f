/** Logger is where the reactor writes one line per event. */
export interface Logger {
  info(line: string): void;
  error(line: string): void;
}

/** consoleLogger timestamps lines to stdout (info) and stderr (errors). */
export const consoleLogger: Logger = {
  info: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  error: (line) => process.stderr.write(`${new Date().toISOString()} ERROR ${line}\n`),
};

/** silentLogger drops everything (the initiator's in-process reactor). */
export const silentLogger: Logger = { info: () => {}, error: () => {} };
