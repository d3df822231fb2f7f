import type { Entry } from '../model/entry.js';
import { describe, isSkip } from '../model/path-errors.js';
import type { DryTree } from './dry-tree.js';
import type { ContentFetch } from './fetch.js';
import { keptLine } from './receiving-tree.js';
import type { Recording } from './recording.js';

/**
 * DryFetch stands for asking for content in a dry run: no data is asked for, and each file is
 * reported as a real run would end up with it, after the checks that need no data.
 */
export class DryFetch implements ContentFetch {
  constructor(private readonly tree: DryTree, private readonly recording: Recording) {}

  /** fetch reports a file as its landing would be; bytes are the whole file (a resume or delta may send fewer). */
  fetch(entry: Entry, target: Entry | undefined): void {
    try {
      this.tree.assertUnchanged(entry.path, target);
      const kept = this.tree.keepPrevious(entry.path, target);
      this.recording.recordSynced(undefined, entry, { outcome: 'synchronized', message: keptLine(kept), bytes: entry.size });
    } catch (err) {
      this.recording.result({ path: entry.path, outcome: isSkip(err) ? 'skipped' : 'error', message: describe(err), bytes: 0 });
    }
  }

  /**
   * fetchSynced reports a synced file --mirror asks for again as a real run ends up with it:
   * the sender answers from its own tree, which this run's changes describe where they touch it.
   */
  fetchSynced(synced: Entry, scanned: Entry): void {
    const source = this.tree.sourceOf(scanned.path);
    if (source === null || (source !== undefined && source.kind !== 'file')) {
      // as the sender aborts it (sendFile)
      this.recording.result({
        path: synced.path, outcome: 'skipped', message: 'not sent: it is no longer a file at the source; it will be sent next run', bytes: 0,
      });
      return;
    }
    const expected = synced.checksum ?? new Uint8Array();
    if (source !== undefined && (source.size !== synced.size ||
        (expected.length > 0 && !Buffer.from(source.checksum ?? []).equals(Buffer.from(expected))))) {
      // as settle finds the source's content against the synced checksum it asked for
      this.recording.result({
        path: synced.path, outcome: 'error', message: 'received content did not verify; it will be sent again next run', bytes: 0,
      });
      return;
    }
    this.fetch(synced, scanned);
  }
}
