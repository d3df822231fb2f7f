import { LogFile, type LogFileSettings } from './state/log-file.js';

/** LogLevel orders what a reactor logs; a level shows itself and everything more severe. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** LogFormat is `text` (a timestamp, the event, key=value pairs) or `json` (one object per line). */
export type LogFormat = 'text' | 'json';

export type LogFields = Readonly<Record<string, string | number | boolean>>;

/** Logger is where the reactor writes one structured line per event. */
export interface Logger {
  /** event logs a named happening (`session_start`) with its fields. */
  event(level: LogLevel, name: string, fields?: LogFields): void;
  info(line: string): void;
  error(line: string): void;
}

/**
 * createLogger writes each event as one line: in text `2026-11-22T15:00:00.000Z session start
 * id=... name=...` (errors and warnings to stderr), in json `{"time":...,"level":...,"event":
 * "session_start",...}` to stdout, which log shippers read as is.
 */
export function createLogger(level: LogLevel = 'info', format: LogFormat = 'text',
  out: (line: string) => void = (line) => process.stdout.write(line),
  err: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const shown = (wanted: LogLevel): boolean => LOG_LEVELS.indexOf(wanted) <= LOG_LEVELS.indexOf(level);
  const write = (wanted: LogLevel, name: string | undefined, fields: LogFields, message?: string): void => {
    if (!shown(wanted)) return;
    const time = new Date().toISOString();
    if (format === 'json') {
      out(`${JSON.stringify({ time, level: wanted, event: name ?? 'message', ...fields, ...(message !== undefined ? { message } : {}) })}\n`);
      return;
    }
    const pairs = Object.entries(fields).map(([key, value]) => `${key}=${quoted(String(value))}`);
    const line = [time, ...(wanted === 'error' || wanted === 'warn' ? [wanted.toUpperCase()] : []),
      ...(name !== undefined ? [name.replace(/_/g, ' ')] : []), ...pairs, ...(message !== undefined ? [message] : [])].join(' ');
    (wanted === 'error' || wanted === 'warn' ? err : out)(`${line}\n`);
  };
  return {
    event: (wanted, name, fields = {}) => write(wanted, name, fields),
    info: (line) => write('info', undefined, {}, line),
    error: (line) => write('error', undefined, {}, line),
  };
}

/** quoted leaves a plain value bare and quotes one with spaces, quotes or '=' (logfmt). */
function quoted(value: string): string {
  return /^[^\s"=]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
}

/** consoleLogger logs info and above as text. */
export const consoleLogger: Logger = createLogger();

/** silentLogger drops everything (the initiator's in-process reactor). */
export const silentLogger: Logger = { event: () => {}, info: () => {}, error: () => {} };

/**
 * serverLog is the logger `serve` writes with: stdout and stderr, or, with "logDir", its
 * reactor.log alone (errors too), which SIGHUP reopens for an external logrotate. close lets go of it.
 */
export function serverLog(level: LogLevel, format: LogFormat, file: LogFileSettings | undefined): { log: Logger; close(): void } {
  if (file === undefined) return { log: createLogger(level, format), close: () => {} };
  const logFile = LogFile.open(file);
  const reopen = (): void => logFile.reopen();
  process.on('SIGHUP', reopen);
  return {
    log: createLogger(level, format, logFile.write, logFile.write),
    close: () => {
      process.off('SIGHUP', reopen);
      logFile.close();
    },
  };
}
