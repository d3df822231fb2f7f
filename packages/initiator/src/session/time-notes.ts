import type { SyncOptions } from '../options/command-line.js';

/** TimeNotes are what the session's start says of the time options: its text lines and JSON fields. */
export interface TimeNotes {
  readonly text: string;
  readonly fields: Record<string, unknown>;
}

/**
 * timeNotes says, as a session starts (a dry run included), what --preserve-access-time will
 * do and that --preserve-creation-time can do nothing: Node sets access and modification
 * times only (utimes), on every platform, so no birth time is set anywhere.
 */
export function timeNotes(options: SyncOptions): TimeNotes {
  let text = '';
  const fields: Record<string, unknown> = {};
  if (options.preserveAccessTime) {
    text += `\n  files written ${options.dryRun ? 'would get' : 'get'} the source's access time (--preserve-access-time)`;
    fields['accessTime'] = 'preserved';
  }
  if (options.preserveCreationTime) {
    text += `\n  creation times are not kept: snapsync cannot set one on ${process.platform} (--preserve-creation-time)`;
    fields['creationTime'] = 'not kept';
  }
  return { text, fields };
}
