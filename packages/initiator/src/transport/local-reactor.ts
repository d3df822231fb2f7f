import { Connection, memoryPair } from '@snapsync/protocol';
import { hostname, userInfo } from 'node:os';

/**
 * connectLocal serves a plain-path -r with a reactor inside this process, over the same
 * protocol code as a remote one (an in-memory frame pair instead of TLS). Its docroot is
 * `/`: the user already owns this machine. The reactor package (and node-forge with it) loads
 * only here, so remote runs do not pay for it.
 */
export async function connectLocal(): Promise<Connection> {
  const { SessionHandler, localAuthenticator, silentLogger } = await import('@snapsync/reactor');
  const [ours, theirs] = memoryPair();
  new SessionHandler(new Connection(theirs), {
    authenticate: localAuthenticator(userInfo().username),
    serverName: hostname(),
    log: silentLogger,
    peer: 'in-process',
  });
  return new Connection(ours);
}
