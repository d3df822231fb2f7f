import { Connection, memoryPair } from '@snapsync/protocol';
import { SessionHandler, localAuthenticator, silentLogger } from '@snapsync/reactor';
import { hostname, userInfo } from 'node:os';

/**
 * connectLocal serves a plain-path -r with a reactor inside this process, over the same
 * protocol code as a remote one (an in-memory frame pair instead of TLS). Its docroot is
 * `/`: the user already owns this machine.
 */
export function connectLocal(): Connection {
  const [ours, theirs] = memoryPair();
  new SessionHandler(new Connection(theirs), {
    authenticate: localAuthenticator(userInfo().username),
    serverName: hostname(),
    log: silentLogger,
    peer: 'in-process',
  });
  return new Connection(ours);
}
