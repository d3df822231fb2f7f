import { CHUNK } from '@snapsync/core/internal';
import { dir, fileWithMode, link, type Layout } from './tree-edits.js';

// Named starting states of the one-way scenarios: what source and target held at the last sync.
// `keep.txt` is a bystander: with it, deleting the rest is never most of the tree (the
// mass-delete guard would refuse the cycle).

const bystander = { 'keep.txt': 'keeps the source from looking unmounted' } as const;

/** SAMPLE: a small tree with every kind of entry: modes, odd names, empty and locked directories, links, a dangling one. */
export const SAMPLE: Layout = {
  'top.txt': 'top level\n',
  'empty.txt': '',
  'script.sh': fileWithMode('#!/bin/sh\necho hi\n', 0o755),
  'private.key': fileWithMode('secret', 0o600),
  'docs/read me.md': fileWithMode('# spaces in names\n', 0o640),
  'docs/naïve café/日本語.txt': 'unicode names\n',
  'deep/a/b/c/d.bin': Buffer.from([0, 1, 2, 3, 255, 254]),
  'empty-dir': dir(),
  'locked-dir': dir(0o700),
  'link-to-top': link('top.txt'),
  'docs/dangling': link('../no/such/file'),
  'dir-link': link('deep/a'),
};
/** TOOL: one plain file, mode 644. */
export const TOOL: Layout = { tool: 'run me' };
/** FILE_AND_LINK: a file and a link, each to become the other kind. */
export const FILE_AND_LINK: Layout = { 'was-file': 'content', 'was-link': link('somewhere') };
/** DIR_P: p, a directory two levels deep. */
export const DIR_P: Layout = { 'p/inner.txt': 'inside', 'p/deeper/more.txt': 'more' };
/** DIR_OF_TWINS: empty files and files of one content in a directory to be renamed. */
export const DIR_OF_TWINS: Layout = { 'old/e1': '', 'old/e2': '', 'old/twin1': 'same bytes', 'old/twin2': 'same bytes' };
/** DIR_OLD: old/a.txt, a directory to be renamed. */
export const DIR_OLD: Layout = { 'old/a.txt': 'synced' };
/** A_AND_B: two directories, a/file.txt to move into b. */
export const A_AND_B: Layout = { 'a/file.txt': 'only copy on the target after the move', 'b/keep.txt': 'keep' };
/** SCRIPT_A: a.sh, to be renamed and made executable. */
export const SCRIPT_A: Layout = { 'a.sh': 'echo a' };
/** FROM_TXT: from.txt, to be renamed. */
export const FROM_TXT: Layout = { 'from.txt': 'moved content' };
/** DOC: doc.txt, version 1. */
export const DOC: Layout = { 'doc.txt': 'version 1' };
/** FILE_X: x, a file to become a link. */
export const FILE_X: Layout = { x: 'a file first' };
/** TOOL_V1: tool, mode 644. */
export const TOOL_V1: Layout = { tool: 'v1' };
/** DOOMED: doomed.txt to delete, and the bystander. */
export const DOOMED: Layout = { 'doomed.txt': 'synced once', ...bystander };
/** NOTES: notes.txt to delete, and the bystander. */
export const NOTES: Layout = { 'notes.txt': 'synced', ...bystander };
/** PROJECT: a directory tree to delete, and the bystander. */
export const PROJECT: Layout = { 'project/a.txt': 'synced a', 'project/sub/b.txt': 'synced b', ...bystander };
/** ALL_OF_IT: two files, no bystander: deleting both empties the source. */
export const ALL_OF_IT: Layout = { 'a.txt': 'a', 'b/c.txt': 'c' };
/** ODD: a file its source will no longer be able to read, and the bystander. */
export const ODD: Layout = { odd: 'a file once', ...bystander };
/** GONE: gone.txt to delete on both sides, and the bystander. */
export const GONE: Layout = { 'gone.txt': 'x', ...bystander };
/** BIG: big.bin, three chunks. */
export const BIG: Layout = { 'big.bin': Buffer.alloc(3 * CHUNK, 1) };
