import type { DeltaFrom, ResumeFrom } from '../stream/messages.js';

/** Wants collects what one batch of changes (or one phase of the run) asks the sender for. */
export interface Wants {
  paths: string[];
  resumes: ResumeFrom[];
  deltas: DeltaFrom[];
}

export function noWants(): Wants {
  return { paths: [], resumes: [], deltas: [] };
}
