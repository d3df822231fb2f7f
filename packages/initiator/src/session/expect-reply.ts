import { protocolError, type Message } from '@snapsync/protocol';

/** expectReply checks that the reactor answered a request with the message kind it should. */
export async function expectReply<K extends Message['kind']>(reply: Promise<Message>, kind: K): Promise<Extract<Message, { kind: K }>> {
  const message = await reply;
  if (message.kind !== kind) {
    throw protocolError('UNEXPECTED_MESSAGE', `the reactor answered ${message.kind} where ${kind} was expected`);
  }
  return message as Extract<Message, { kind: K }>;
}
