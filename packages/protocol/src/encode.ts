import type { Change, DeltaFrom, Entry, FilterRule, PathResult, ResumeFrom } from '@snapsync/core';
import type { Snapsync } from '../generated/wire.js';
import type { MessageKind, MessageOf } from './messages.js';
import { CHANGES, CODECS, DIRECTIONS, KINDS, OUTCOMES, WIRE_ERROR_CODES } from './wire-enums.js';
import { wire } from './wire.js';

/**
 * Encoded is what the encoder hands protobufjs for a message of the generated class C: every
 * field the schema gives C, each of its type (arrays read-only), none left out or misspelled.
 * The generated interfaces make every field optional; the classes do not, which is what this
 * relies on. Nested lists the fields that hold other messages, typed the same way.
 */
type Encoded<C, Nested = unknown> = {
  readonly [F in keyof C as F extends '$unknowns' | keyof Nested ? never : F]: C[F] extends (infer E)[] ? readonly E[] : C[F];
} & Nested;

/** WireClass is the generated class of a message kind: hello is Hello, authOk AuthOk, and so on. */
type WireClass<K extends MessageKind> = InstanceType<(typeof wire)[Capitalize<K>]>;

type EncodedEntry = Encoded<Snapsync.V1.Entry>;

/** EncodedBody is the envelope field a message kind goes in: Envelope.oneof body. */
type EncodedBody<K extends MessageKind> = K extends 'auth' ? Encoded<Snapsync.V1.Auth, { key: Encoded<Snapsync.V1.KeyProof> | undefined }>
  : K extends 'startSync' ? Encoded<Snapsync.V1.StartSync, { filters: readonly Encoded<Snapsync.V1.FilterRule>[] }>
  : K extends 'changes' ? Encoded<Snapsync.V1.Changes, { changes: readonly EncodedChange[] }>
  : K extends 'want' ? Encoded<Snapsync.V1.Want, {
    resumes: readonly Encoded<Snapsync.V1.ResumeFrom>[]; deltas: readonly Encoded<Snapsync.V1.DeltaFrom>[];
  }>
  : K extends 'results' ? Encoded<Snapsync.V1.Results, { results: readonly EncodedResult[] }>
  : K extends 'fileBatch' ? Encoded<Snapsync.V1.FileBatch, { files: readonly Encoded<Snapsync.V1.FileData>[] }>
  : Encoded<WireClass<K>>;

type EncodedChange = Encoded<Snapsync.V1.Change, { entry: EncodedEntry; base: EncodedEntry | undefined }>;
type EncodedResult = Encoded<Snapsync.V1.PathResult, { entry: EncodedEntry | undefined }>;

/** ENCODERS turns each kind of message into its generated body; the compiler checks each against the schema. */
const ENCODERS: { readonly [K in MessageKind]: (message: MessageOf<K>) => EncodedBody<K> } = {
  hello: (m) => ({
    magic: m.magic, protocolVersion: m.protocolVersion, features: m.features, clientName: m.clientName, platform: m.platform,
    programVersion: m.programVersion ?? '',
  }),
  welcome: (m) => ({
    protocolVersion: m.protocolVersion, features: m.features, serverName: m.serverName, authChallenge: m.authChallenge, platform: m.platform,
    programVersion: m.programVersion ?? '',
  }),
  auth: (m) => ({ user: m.user, password: m.password, token: m.token, key: m.key && { publicKey: m.key.publicKey, signature: m.key.signature } }),
  authOk: (m) => ({ user: m.user }),
  checkMount: (m) => ({ remoteMountSignature: m.remoteMountSignature }),
  mountChecked: () => ({}),
  openSession: (m) => ({
    name: m.name, remoteDir: m.remoteDir, remoteDbDir: m.remoteDbDir, direction: DIRECTIONS[m.direction],
    localDbExisted: m.localDbExisted, reset: m.reset, createDir: m.createDir, localDir: m.localDir, localHost: m.localHost,
    localDbPath: m.localDbPath, checksum: m.checksum, dryRun: m.dryRun, generation: m.generation, startupToken: m.startupToken,
    // false is proto3's default, left off the wire as absence is: the same bytes.
    noFsync: m.noFsync === true,
    remoteMountSignature: m.remoteMountSignature ?? '',
  }),
  sessionOpened: (m) => ({
    sessionId: m.sessionId, remoteDbPath: m.remoteDbPath, remoteDbExisted: m.remoteDbExisted, remoteDir: m.remoteDir, generation: m.generation,
    remoteDbDirIgnored: m.remoteDbDirIgnored === true,
  }),
  finishSession: (m) => ({ ok: m.ok, generation: m.generation, keepOpen: m.keepOpen }),
  sessionFinished: () => ({}),
  error: (m) => ({ code: WIRE_ERROR_CODES[m.code] ?? wire.ErrorCode.INTERNAL, message: m.message }),
  startSync: (m) => ({
    dryRun: m.dryRun, allowMassDelete: m.allowMassDelete, ignoreDelete: m.ignoreDelete,
    mirror: m.mirror, keepDir: m.keepDir, symlinks: m.symlinks, preserveTime: m.preserveTime,
    overwrite: m.overwrite, preserveUid: m.preserveUid, preserveGid: m.preserveGid,
    filters: m.filters.map(filterRuleToWire),
    partial: m.partial, scope: m.scope, targetRate: m.targetRate,
    // Absent, not 0, when not given: 0 refuses any deletion.
    maxDeleteCount: m.maxDelete?.kind === 'count' ? m.maxDelete.count : undefined,
    maxDeletePercent: m.maxDelete?.kind === 'percent' ? m.maxDelete.percent : undefined,
    dirsOlderThanUs: m.dirsOlderThanUs ?? 0, cleanExcluded: m.cleanExcluded === true,
    ignoreMode: m.ignoreMode === true, preserveAccessTime: m.preserveAccessTime === true,
    keepMaxAgeDays: m.keepPrune?.maxAgeDays, keepMaxVersions: m.keepPrune?.maxVersions,
    deleteBefore: m.deleteBefore === true,
    removeAfterTransfer: m.removeAfterTransfer === true, removeEmptyDirs: m.removeEmptyDirs === true,
    dedup: m.dedup ?? '',
    compression: m.compression !== undefined ? CODECS[m.compression] : wire.Compression.COMPRESSION_NONE,
    preserveXattrs: m.metadata?.xattrs.initiator ?? '', remotePreserveXattrs: m.metadata?.xattrs.reactor ?? '',
    preserveAcls: m.metadata?.acls.initiator ?? '', remotePreserveAcls: m.metadata?.acls.reactor ?? '',
  }),
  syncReady: (m) => ({ scanned: m.scanned, oldDirs: m.oldDirs ?? 0, excludedRows: m.excludedRows ?? 0 }),
  startPass: (m) => ({ reactorSends: m.reactorSends, keptOnly: m.keptOnly }),
  watch: (m) => ({ cooloffMs: m.cooloffMs, pendingMax: m.pendingMax, cooloffMaxMs: m.cooloffMaxMs ?? 0 }),
  watchStarted: (m) => ({ watching: m.watching, message: m.message }),
  treeChanged: (m) => ({ paths: m.paths, full: m.full, stillChanging: m.stillChanging ?? [] }),
  changes: (m) => ({ last: m.last, changes: m.changes.map(changeToWire) }),
  want: (m) => ({ paths: m.paths, resumes: m.resumes.map(resumeToWire), deltas: m.deltas.map(deltaToWire) }),
  fileData: fileDataToWire,
  fileBatch: (m) => ({ files: m.files.map(fileDataToWire) }),
  ack: (m) => ({ bytes: m.bytes }),
  results: (m) => ({ results: m.results.map(resultToWire) }),
  syncDone: (m) => ({ errors: m.errors }),
};

/** encodeBody is the envelope's fields for a message: its body, under the field its kind names. */
export function encodeBody<K extends MessageKind>(message: MessageOf<K>): Snapsync.V1.Envelope.$Properties {
  const kind: K = message.kind as K;
  // protobufjs only reads what it is given: read-only arrays are safe to hand it.
  return { [kind]: ENCODERS[kind](message) } as Snapsync.V1.Envelope.$Properties;
}

function filterRuleToWire(rule: FilterRule): Encoded<Snapsync.V1.FilterRule> {
  return { include: rule.kind === 'include', pattern: rule.pattern };
}

function changeToWire(change: Change): EncodedChange {
  const base = change.kind === 'delete' ? undefined : change.base;
  return {
    kind: CHANGES[change.kind], entry: entryToWire(change.entry), from: change.kind === 'move' ? change.from : '',
    base: base === undefined || base === null ? undefined : entryToWire(base), baseKnown: base !== undefined,
    twinOf: change.kind === 'upsert' ? change.twinOf ?? '' : '',
  };
}

function resumeToWire(resume: ResumeFrom): Encoded<Snapsync.V1.ResumeFrom> {
  return { path: resume.path, offset: resume.offset, prefixChecksum: resume.prefixChecksum };
}

function deltaToWire(delta: DeltaFrom): Encoded<Snapsync.V1.DeltaFrom> {
  return { path: delta.path, blockSize: delta.blockSize, digests: delta.digests };
}

function resultToWire(result: PathResult): EncodedResult {
  return {
    path: result.path, outcome: OUTCOMES[result.outcome], message: result.message, bytes: result.bytes,
    entry: result.entry === undefined ? undefined : entryToWire(result.entry), from: result.from ?? '',
    inKeepDir: result.inKeepDir === true,
    sourceRemoved: result.source === 'removed', sourceKept: result.source === 'kept',
  };
}

function entryToWire(entry: Entry): EncodedEntry {
  return {
    path: entry.path, kind: KINDS[entry.kind], size: entry.size, mtimeUs: entry.mtimeUs, mode: entry.mode,
    checksum: entry.checksum ?? new Uint8Array(), linkTarget: entry.linkTarget ?? '',
    // Absent, not 0, when not tracked: 0 is root.
    uid: entry.uid ?? undefined, gid: entry.gid ?? undefined, atimeUs: entry.atimeUs ?? undefined,
    // Absent when not tracked; empty when tracked and none are set.
    xattrs: entry.xattrs ?? undefined,
  };
}

function fileDataToWire(m: MessageOf<'fileData'>): Encoded<Snapsync.V1.FileData> {
  return {
    path: m.path, offset: m.offset, data: m.data, last: m.last, aborted: m.aborted, reason: m.reason, digest: m.digest ?? new Uint8Array(), hole: m.hole ?? 0,
    compression: m.compression !== undefined ? CODECS[m.compression] : wire.Compression.COMPRESSION_NONE, rawLength: m.rawLength ?? 0,
  };
}
