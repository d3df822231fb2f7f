import type { DeltaFrom, ResumeFrom, SyncChannel } from '../stream/messages.js';

/** Wants collects what one batch of changes (or one phase of the run) asks the sender for. */
export interface Wants {
  paths: string[];
  resumes: ResumeFrom[];
  deltas: DeltaFrom[];
}

export function noWants(): Wants {
  return { paths: [], resumes: [], deltas: [] };
}

/** sendWants asks for what a phase gathered: paths and resumes in one message, each delta in its own (its digests take up to 512 KiB). */
export function sendWants(channel: SyncChannel, wants: Wants): void {
  if (wants.paths.length > 0 || wants.resumes.length > 0) {
    channel.send({ kind: 'want', paths: wants.paths, resumes: wants.resumes, deltas: [] });
  }
  for (const delta of wants.deltas) channel.send({ kind: 'want', paths: [], resumes: [], deltas: [delta] });
}
