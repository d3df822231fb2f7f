import { dir, file, link, type Layout } from './tree-edits.js';

// Named starting states of the two-way scenarios: what both sides held at the last sync. Most
// carry `keep`, a bystander file, so that a deletion is never most of the tree (the
// mass-delete guard would halt the cycle).

const bystander = { keep: 'k' } as const;

/** SYNCED_ONCE: the sides synced once; they hold only the bystander. */
export const SYNCED_ONCE: Layout = bystander;
/** FILE_F: one file f, then the bystander. */
export const FILE_F: Layout = { f: 'base', ...bystander };
/** FILE_F_AGED: f with a time in 1970, for the policies that compare times. */
export const FILE_F_AGED: Layout = { f: file('base', 1_000), ...bystander };
/** TEXT_AGED: f.txt with a time in 1970 (a conflict loser's mark goes before the extension). */
export const TEXT_AGED: Layout = { 'f.txt': file('base', 1_000), ...bystander };
/** BASE: a single file. */
export const BASE: Layout = { base: 'base' };
/** F_AND_G: two files of one time, each to be edited on its own side. */
export const F_AND_G: Layout = { f: file('v1', 2_000_000), g: file('v1', 2_000_000) };
/** TO_DELETE: one file for each side to delete. */
export const TO_DELETE: Layout = { 'gone-on-a': 'x', 'gone-on-b': 'y', ...bystander };
/** OLD_EMPTY_DIR: an empty directory. */
export const OLD_EMPTY_DIR: Layout = { old: dir(), ...bystander };
/** DIR_WITH_FILE: d/c, a directory holding one file. */
export const DIR_WITH_FILE: Layout = { 'd/c': 'synced' };
/** DIR_750_WITH_FILE: d/old in a directory of mode 750. */
export const DIR_750_WITH_FILE: Layout = { 'd/old': 'old', ...bystander, d: dir(0o750) };
/** DIR_WITH_TWO: d/f and d/other. */
export const DIR_WITH_TWO: Layout = { 'd/f': 'v1', 'd/other': 'o', ...bystander };
/** FILE_X: x, a file. */
export const FILE_X: Layout = { x: 'file', ...bystander };
/** DIR_X: x, a directory two levels deep. */
export const DIR_X: Layout = { 'x/inside': 'in the dir', 'x/deeper/more': 'more', ...bystander };
/** LINKED: a file and a link to it. */
export const LINKED: Layout = { target: 't', link: link('target') };
/** SCRIPT: run.sh, not executable. */
export const SCRIPT: Layout = { 'run.sh': 'echo hi', ...bystander };
/** BIG_FILES: a large file, and a directory of two large files, worth moving rather than sending. */
export const BIG_FILES: Layout = { 'big-a': 'a'.repeat(100_000), 'dir-b/one': 'b'.repeat(50_000), 'dir-b/two': 'c'.repeat(50_000) };
/** ORIGINAL: old, a file to be moved on one side and edited on the other. */
export const ORIGINAL: Layout = { old: 'original', ...bystander };
/** READABLE: f, a file its side can read today. */
export const READABLE: Layout = { f: 'synced', ...bystander };
/** TWELVE_AGED: twelve files with a time in 1970. */
export const TWELVE_AGED: Layout = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, file(`content ${i}`, 1_000)]));
/** TWELVE: twelve files and nothing else, so that deleting them is a mass delete. */
export const TWELVE: Layout = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, `${i}`]));
/** README: a lower-case name, 5000 bytes. */
export const README: Layout = { 'readme.txt': 'r'.repeat(5000), ...bystander };
/** LOG: a log file a filter will later hide. */
export const LOG: Layout = { 'app.log': 'log', ...bystander };
/** TOOL: a file whose mode will gain setuid. */
export const TOOL: Layout = { tool: 'binary', ...bystander };
/** DIR_D_F: d/f, a directory holding one file. */
export const DIR_D_F: Layout = { 'd/f': 'v1', ...bystander };
/** DIR_D_X: d/x, a directory holding one file. */
export const DIR_D_X: Layout = { 'd/x': 'x', ...bystander };
/** AGED_IN_DIR: d/f with a time in 1970, no bystander. */
export const AGED_IN_DIR: Layout = { 'd/f': file('base', 1_000) };
/** LONE_F_AGED: f with a time in 1970, no bystander. */
export const LONE_F_AGED: Layout = { f: file('base', 1_000) };
/** FOR_DRY_RUN: f to edit, gone to delete, and the bystander. */
export const FOR_DRY_RUN: Layout = { f: 'base', gone: 'g', ...bystander };
/** BEFORE_LOST_DBS: a file to stay, one to edit, one to delete. */
export const BEFORE_LOST_DBS: Layout = { same: 's', differ: 'base', 'gone-on-b': 'g' };
/** FOR_CUTS: an edit, a deletion and a rename to come, and the bystander. */
export const FOR_CUTS: Layout = { edit: 'v1', gone: 'g', 'old-name': 'o'.repeat(2000), ...bystander };
