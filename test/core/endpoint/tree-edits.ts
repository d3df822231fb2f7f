import { expect } from 'chai';
import {
  appendFileSync, chmodSync, closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync,
  writeFileSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { CHUNK, WINDOW } from '@snapsync/core/internal';
import { listTree } from './sync-pair.js';

// A small language for the trees the endpoint tests build: a Layout says what a tree holds,
// an Edit is one change a side makes between cycles, a Holding is what a side must hold after.

/** FileNode is a file with the mode or modification time a scenario cares about. */
export interface FileNode {
  readonly content: string | Buffer;
  readonly mtimeS?: number;
  readonly mode?: number;
}
export interface DirNode {
  readonly dir: true;
  readonly mode?: number;
}
export interface LinkNode {
  readonly link: string;
}
/** Node is what a layout puts at a path; a plain string is a file with that content. */
export type Node = string | Buffer | FileNode | DirNode | LinkNode;
/** Layout is a tree, path by path, in the order the paths are made. */
export type Layout = Readonly<Record<string, Node>>;

export const file = (content: string | Buffer, mtimeS?: number): FileNode => (mtimeS === undefined ? { content } : { content, mtimeS });
export const fileWithMode = (content: string | Buffer, mode: number): FileNode => ({ content, mode });
export const dir = (mode?: number): DirNode => (mode === undefined ? { dir: true } : { dir: true, mode });
export const link = (target: string): LinkNode => ({ link: target });

/** write makes a file and its parents, and sets its times when asked (the file keeps the mode it had). */
export function write(root: string, path: string, content: string | Buffer, mtimeS?: number): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  if (mtimeS !== undefined) utimesSync(full, mtimeS, mtimeS);
}

export const read = (root: string, path: string): string => readFileSync(join(root, path), 'utf8');

/** fileMode, when given, is the mode of every file whose node does not say one. */
function place(root: string, path: string, node: Node, fileMode?: number): void {
  const full = join(root, path);
  if (typeof node === 'string' || Buffer.isBuffer(node)) {
    write(root, path, node);
    if (fileMode !== undefined) chmodSync(full, fileMode);
  } else if ('content' in node) {
    write(root, path, node.content, node.mtimeS);
    const mode = node.mode ?? fileMode;
    if (mode !== undefined) chmodSync(full, mode);
  } else if ('dir' in node) {
    mkdirSync(full, { recursive: true });
    if (node.mode !== undefined) chmodSync(full, node.mode);
  } else {
    mkdirSync(join(full, '..'), { recursive: true });
    symlinkSync(node.link, full);
  }
}

/** lay builds a layout under root; files get fileMode where given (else the mode the umask leaves). */
export function lay(root: string, layout: Layout, fileMode?: number): void {
  for (const [path, node] of Object.entries(layout)) place(root, path, node, fileMode);
}

/** sparseFile makes a file of size bytes, mostly holes, with a few marked bytes spread through it (at chunk and window edges). */
export function sparseFile(path: string, size: number, mark = 0xde): void {
  const fd = openSync(path, 'w');
  try {
    ftruncateSync(fd, size);
    for (const offset of [0, CHUNK - 3, WINDOW - 1, WINDOW + 7, size - 5]) {
      if (offset + 5 <= size) writeSync(fd, Buffer.from([mark, 0xad, 0xbe, 0xef, 0x42]), 0, 5, offset);
    }
  } finally {
    closeSync(fd);
  }
}

/** Edit is one change to a tree, made between cycles. */
export type Edit = (root: string) => void;

/** put places a node; a file keeps the mode it had unless the node says one. */
export const put = (path: string, node: Node): Edit => (root) => place(root, path, node);
export const remove = (path: string): Edit => (root) => rmSync(join(root, path), { recursive: true });
export const append = (path: string, more: string): Edit => (root) => appendFileSync(join(root, path), more);
export const move = (from: string, to: string): Edit => (root) => renameSync(join(root, from), join(root, to));
export const chmod = (path: string, mode: number): Edit => (root) => chmodSync(join(root, path), mode);
export const touch = (path: string, timeS: number): Edit => (root) => utimesSync(join(root, path), timeS, timeS);
/** fifo replaces a path by a FIFO, a file no scan can read. */
export const fifo = (path: string): Edit => (root) => {
  rmSync(join(root, path), { recursive: true });
  execFileSync('mkfifo', [join(root, path)]);
};

export function apply(root: string, edits: readonly Edit[]): void {
  for (const edit of edits) edit(root);
}

/** ABSENT: nothing is at the path. */
export const ABSENT = Symbol('absent');
/**
 * Held is what must be at a path: a string is a file's content, a RegExp matches the path's
 * line in listTree ("file 755 …", "dir 750", "symlink -> x"), ABSENT means nothing is there.
 */
export type Held = string | RegExp | typeof ABSENT;
export type Holding = Readonly<Record<string, Held>>;

/** expectHolds checks that the tree under root holds what is expected at each path. */
export function expectHolds(root: string, holding: Holding, side: string): void {
  for (const [path, held] of Object.entries(holding)) {
    if (held === ABSENT) expect(existsSync(join(root, path)), `${side}: nothing at ${path}`).to.equal(false);
    else if (held instanceof RegExp) expect(listTree(root)[path], `${side}: ${path}`).to.match(held);
    else expect(read(root, path), `${side}: ${path}`).to.equal(held);
  }
}
