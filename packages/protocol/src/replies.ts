import type { ErrorMessage, MessageKind, MessageOf } from './messages.js';

/**
 * REPLIES is the conversation: each request the initiator makes and the reply the reactor
 * gives it (or an Error). Everything else on the wire is a notification (id 0). The types
 * below derive from it, so Connection.request returns the reply a request takes, and the same
 * table checks the reply's kind when it arrives.
 */
export const REPLIES = {
  hello: 'welcome',
  auth: 'authOk',
  checkMount: 'mountChecked',
  openSession: 'sessionOpened',
  startSync: 'syncReady',
  watch: 'watchStarted',
  finishSession: 'sessionFinished',
} as const satisfies Partial<Record<MessageKind, MessageKind>>;

/** RequestKind names a message that asks for a reply. */
export type RequestKind = keyof typeof REPLIES;

/** Request is a message that asks for a reply. */
export type Request = MessageOf<RequestKind>;

/** ReplyKind names a message that answers a request. */
export type ReplyKind = (typeof REPLIES)[RequestKind];

/** ReplyTo is the reply a request takes, an Error apart. */
export type ReplyTo<R extends Request> = MessageOf<(typeof REPLIES)[R['kind']]>;

/** Reply is any message that answers a request: a reply kind, or an Error. */
export type Reply = MessageOf<ReplyKind> | ErrorMessage;

/** RequestFrame is a request as it arrives: answering it needs its id, checking the answer its kind. */
export interface RequestFrame<R extends Request = Request> {
  readonly id: number;
  readonly message: R;
}
