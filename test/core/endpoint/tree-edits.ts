import { expect } from 'chai';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { listTree } from './sync-pair.js';

// A small language for the trees the endpoint tests build: a Layout says what a tree holds,
// an Edit is one change a side makes between cycles, a Holding is what a side must hold after.

/** FileNode is a file with the mode or modification time a scenario cares about. */
export interface FileNode {
  readonly content: string | Buffer;
  readonly mtimeS?: number;
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

function place(root: string, path: string, node: Node): void {
  const full = join(root, path);
  if (typeof node === 'string' || Buffer.isBuffer(node)) {
    write(root, path, node);
  } else if ('content' in node) {
    write(root, path, node.content, node.mtimeS);
  } else if ('dir' in node) {
    mkdirSync(full, { recursive: true });
    if (node.mode !== undefined) chmodSync(full, node.mode);
  } else {
    mkdirSync(join(full, '..'), { recursive: true });
    symlinkSync(node.link, full);
  }
}

/** lay builds a layout under root. */
export function lay(root: string, layout: Layout): void {
  for (const [path, node] of Object.entries(layout)) place(root, path, node);
}

/** Edit is one change to a tree, made between cycles. */
export type Edit = (root: string) => void;

export const put = (path: string, node: Node): Edit => (root) => place(root, path, node);
export const remove = (path: string): Edit => (root) => rmSync(join(root, path), { recursive: true });
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
