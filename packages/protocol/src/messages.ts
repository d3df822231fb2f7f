import type {
  Direction, ErrorCode, PlatformName, RunSettings, SyncMessage,
} from '@snapsync/core';

/**
 * Message is every body an Envelope can carry, as plain validated data. The generated
 * protobuf classes stop at codec.ts; nothing past it sees nullable or defaulted fields.
 */
export type Message =
  | Hello | Welcome | Auth | AuthOk | CheckMount | MountChecked | OpenSession | SessionOpened | FinishSession | SessionFinished | ErrorMessage
  | StartSync | StartPass | Watch | WatchStarted | TreeChanged | FileBatch | SyncMessage;

/** Frame is one decoded WebSocket message: a request id and its body. */
export interface Frame {
  readonly id: number;
  readonly message: Message;
}

export interface Hello {
  readonly kind: 'hello';
  readonly magic: string;
  readonly protocolVersion: number;
  readonly features: readonly string[];
  readonly clientName: string;
  readonly platform: PlatformName;
  /** programVersion is the initiator's snapsync version; absent from older ones. */
  readonly programVersion?: string;
}

export interface Welcome {
  readonly kind: 'welcome';
  readonly protocolVersion: number;
  readonly features: readonly string[];
  readonly serverName: string;
  readonly authChallenge: Uint8Array;
  readonly platform: PlatformName;
  /** programVersion is the reactor's snapsync version; absent from older ones. */
  readonly programVersion?: string;
}

export interface Auth {
  readonly kind: 'auth';
  readonly user: string;
  readonly password?: string;
  readonly key?: { readonly publicKey: Uint8Array; readonly signature: Uint8Array };
  /** token is an API token the reactor issued to this user (TOKEN_LOGIN_FEATURE). */
  readonly token?: string;
}

export interface AuthOk {
  readonly kind: 'authOk';
  readonly user: string;
}

export interface OpenSession {
  readonly kind: 'openSession';
  readonly name: string;
  readonly remoteDir: string;
  /** remoteDbDir is '' for the default (the remote dir). */
  readonly remoteDbDir: string;
  readonly direction: Direction;
  readonly localDbExisted: boolean;
  readonly reset: boolean;
  readonly createDir: boolean;
  readonly localDir: string;
  readonly localHost: string;
  readonly localDbPath: string;
  readonly checksum: string;
  /** dryRun opens the session without creating, locking or recording anything. */
  readonly dryRun: boolean;
  /** generation the initiator's DB recorded at its last complete run ('' for none). */
  readonly generation: string;
  /**
   * startupToken names this start-up ('' from an older initiator); a DB made or started over by
   * it records it, so a start-up killed half-way is recognised and started over (two-phase).
   */
  readonly startupToken: string;
  /** noFsync (--no-fsync): neither side flushes to the disk; absent from an older initiator, so durable. */
  readonly noFsync?: boolean;
  /** remoteMountSignature (--remote-mount-signature) is read inside the docroot; '' or absent for none. */
  readonly remoteMountSignature?: string;
}

/** CheckMount asks whether the reactor's mount signature exists, before either side opens anything. */
export interface CheckMount {
  readonly kind: 'checkMount';
  /** remoteMountSignature (--remote-mount-signature) is read inside the docroot. */
  readonly remoteMountSignature: string;
}

/** MountChecked: the signature exists. */
export interface MountChecked {
  readonly kind: 'mountChecked';
}

export interface SessionOpened {
  readonly kind: 'sessionOpened';
  readonly sessionId: string;
  readonly remoteDbPath: string;
  readonly remoteDbExisted: boolean;
  readonly remoteDir: string;
  /** generation the reactor's DB recorded at its last complete run ('' for none). */
  readonly generation: string;
  /** remoteDbDirIgnored: the reactor keeps its DBs in its own dbDir (the server wins over -B). */
  readonly remoteDbDirIgnored?: boolean;
}

export interface FinishSession {
  readonly kind: 'finishSession';
  readonly ok: boolean;
  /** generation both DBs record for a run that ended well ('' records none). */
  readonly generation: string;
  /** keepOpen ends one cycle of a continuous session: the session stays open for the next. */
  readonly keepOpen: boolean;
}

export interface SessionFinished {
  readonly kind: 'sessionFinished';
}

/**
 * StartSync carries a run's settings (RunSettings, the same on both ends) to the reactor, with
 * the reactor's keep dir and the scope as the wire says them.
 */
export interface StartSync extends Omit<RunSettings, 'scope'> {
  readonly kind: 'startSync';
  /** keepDir is '' for none. */
  readonly keepDir: string;
  /** partial (continuous mode): both sides rescan only scope, each path with all below it. */
  readonly partial: boolean;
  readonly scope: readonly string[];
}

/** StartPass begins one pass of a bidirectional run (docs/sync-engine.md). */
export interface StartPass {
  readonly kind: 'startPass';
  /** reactorSends makes the reactor the pass's sender, else its receiver. */
  readonly reactorSends: boolean;
  /** keptOnly sends only the losers of resolved conflicts this run kept beside them. */
  readonly keptOnly: boolean;
}

/** Watch asks the reactor to watch its sync dir and report changes (continuous mode). */
export interface Watch {
  readonly kind: 'watch';
  readonly cooloffMs: number;
  readonly pendingMax: number;
  /** cooloffMaxMs (--cooloff-max, feature "cooloff-max"): a path still changing this long is reported, not waited for; absent, no limit. */
  readonly cooloffMaxMs?: number;
}

/** WatchStarted answers Watch; watching is false (message says why) when the reactor cannot. */
export interface WatchStarted {
  readonly kind: 'watchStarted';
  readonly watching: boolean;
  readonly message: string;
}

/** TreeChanged names paths that changed on the reactor (full: events were lost). */
export interface TreeChanged {
  readonly kind: 'treeChanged';
  readonly paths: readonly string[];
  readonly full: boolean;
  /** stillChanging (feature "cooloff-max"): paths that kept changing past Watch.cooloffMaxMs; not sent this cycle. */
  readonly stillChanging?: readonly string[];
}

/** FileData is one chunk of a file, as the sync stream sends it. */
export type FileData = Extract<SyncMessage, { kind: 'fileData' }>;

/**
 * FileBatch carries several small files whole, many to a frame (feature "file-batch"); the
 * Connection hands each on as the FileData it stands for.
 */
export interface FileBatch {
  readonly kind: 'fileBatch';
  readonly files: readonly FileData[];
}

export interface ErrorMessage {
  readonly kind: 'error';
  readonly code: ErrorCode;
  readonly message: string;
}

/** MessageKind names a body. */
export type MessageKind = Message['kind'];

/** MessageOf picks the body type of a kind. */
export type MessageOf<K extends MessageKind> = Extract<Message, { kind: K }>;
