import { expect } from 'chai';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { certificateFingerprint, Connection, COOLOFF_MAX_FEATURE, FEATURES, PROTOCOL_VERSION, SNAPSYNC_VERSION, wsFrameSocket } from '@snapsync/protocol';
import { certificateDer, createSelfSigned } from '@snapsync/reactor/internal';
import { snapsync, type CliResult } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * OldReactor answers the hello as a reactor from before the optional features would: it
 * offers none of them. It records every other request it gets (none should come).
 */
interface OldReactor {
  readonly port: number;
  readonly fingerprint: string;
  readonly requests: string[];
  close(): Promise<void>;
}

async function startOldReactor(speaks: { protocolVersion: number; programVersion?: string; features?: readonly string[] } =
  { protocolVersion: PROTOCOL_VERSION }): Promise<OldReactor> {
  const { keyPem, certPem } = createSelfSigned('127.0.0.1');
  const requests: string[] = [];
  const https: Server = createServer({ key: keyPem, cert: certPem });
  const wss = new WebSocketServer({ server: https });
  wss.on('connection', (ws) => {
    const connection = new Connection(wsFrameSocket(ws));
    connection.onMessage(({ id, message }) => {
      if (message.kind !== 'hello') {
        requests.push(message.kind);
        // Ends a run that went past the hello at once, as a wrong password would.
        if (message.kind === 'auth') connection.reply({ id, message }, { kind: 'error', code: 'AUTH_FAILED', message: 'old reactor' });
        return;
      }
      connection.reply({ id, message }, {
        kind: 'welcome', protocolVersion: speaks.protocolVersion, features: [...(speaks.features ?? [])], serverName: 'old-reactor',
        authChallenge: new Uint8Array(32), platform: 'posix', ...(speaks.programVersion !== undefined ? { programVersion: speaks.programVersion } : {}),
      });
    });
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  return {
    port: (https.address() as AddressInfo).port,
    fingerprint: certificateFingerprint(certificateDer(certPem)),
    requests,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => https.close(() => resolve()));
    },
  };
}

describe('initiator: a reactor older than this snapsync', () => {
  let reactor: OldReactor;
  beforeEach(async () => {
    reactor = await startOldReactor();
  });
  afterEach(() => reactor.close());

  const maxDelete = 'the reactor does not support --max-delete (it is older than this snapsync and would apply its default limit); ' +
    'upgrade it or run without --max-delete';
  for (const [flag, message] of [
    ['--direction=bidi', 'the reactor does not support -K bidi (it is older than this snapsync); upgrade it or use -K push or -K pull'],
    ['--dry-run', 'the reactor does not support --dry-run (it is older than this snapsync); upgrade it or run without --dry-run'],
    ['-u', 'the reactor does not support -u/--preserve-uid or -j/--preserve-gid (it is older than this snapsync); upgrade it or run without them'],
    ['-j', 'the reactor does not support -u/--preserve-uid or -j/--preserve-gid (it is older than this snapsync); upgrade it or run without them'],
    // In a pull the reactor runs the guard: left to its default, a stricter limit would silently be looser.
    ['--max-delete=5 --direction=pull', maxDelete],
    ['--max-delete=5% --direction=pull', maxDelete],
    // Both sides scan through them, whatever the direction.
    ['--exclude-dirs-older-than=1d', 'the reactor does not support --exclude-dirs-older-than (it is older than this snapsync); upgrade it or run without it'],
    ['--clean-excluded -E *.tmp', 'the reactor does not support --clean-excluded (it is older than this snapsync); upgrade it or run without it'],
    // A receiving reactor would apply the source's modes.
    ['--ignore-mode', 'the reactor does not support --ignore-mode (it is older than this snapsync and would apply the source\'s modes); ' +
      'upgrade it or run without it'],
    // An older reactor would prune nothing, and would take a pruned version's line for a deletion of that path.
    ['--keep-dir-remote=/k --keep-max-versions=3', 'the reactor does not support --keep-max-age or --keep-max-versions (it is older than this snapsync); ' +
      'upgrade it or run without them'],
    // It would open its side on a volume that may not be mounted, or run its deletions last.
    ['--remote-mount-signature=/mnt/.mounted',
      'the reactor does not support --remote-mount-signature (it is older than this snapsync); upgrade it or run without it'],
    ['--delete-before', 'the reactor does not support --delete-before (it is older than this snapsync); upgrade it or run without it'],
    ['--delete-before --direction=pull', 'the reactor does not support --delete-before (it is older than this snapsync); upgrade it or run without it'],
    // Both roles have a part: a receiving reactor that did not wait for the answers would end the stream before them.
    ['--remove-after-transfer', 'the reactor does not support --remove-after-transfer (it is older than this snapsync); upgrade it or run without it'],
    ['--remove-after-transfer --direction=pull',
      'the reactor does not support --remove-after-transfer (it is older than this snapsync); upgrade it or run without it'],
    // It could not decode the login: said before the token is sent.
    [`-W sst_${'A'.repeat(43)}`, 'the reactor does not take API tokens (it is older than this snapsync); upgrade it or log in with a password or a key (-i)'],
    // It would send, or ask for, every duplicate as its own file: the run would pass and keep no link.
    ['--dedup=inode', 'the reactor does not support --dedup (it is older than this snapsync and would send every duplicate as its own file); ' +
      'upgrade it or run without it'],
    // A sending reactor would send no access times, a receiving one would drop them.
    ['--preserve-access-time', 'the reactor does not support --preserve-access-time (it is older than this snapsync and would not carry access times); ' +
      'upgrade it or run without it'],
    ['--preserve-access-time --direction=pull', 'the reactor does not support --preserve-access-time (it is older than this snapsync and would not ' +
      'carry access times); upgrade it or run without it'],
    // A receiving one would take compressed chunks for the file's bytes; a sending one would not compress.
    ['--compression=zlib', 'the reactor does not support --compression zlib (it is older than this snapsync); upgrade it or run without it'],
    ['--compression=zlib --direction=pull',
      'the reactor does not support --compression zlib (it is older than this snapsync); upgrade it or run without it'],
    // It would drop them unread: the run would pass and carry none.
    ['--preserve-acls=native', 'the reactor does not support --preserve-xattrs or --preserve-acls (it is older than this snapsync); ' +
      'upgrade it or run without them'],
  ] as const) {
    it(`refuses ${flag} with exit 3 right after the hello, before logging in or opening anything`, async () => {
      const local = tempDir('snapsync-old-');
      mkdirSync(join(local, 'docs'));
      writeFileSync(join(local, 'docs', 'a.txt'), 'a');

      const result = await snapsync(
        ['-N', 'old', '-d', local, '-r', `alice@127.0.0.1:/old`, '-P', String(reactor.port), '--fingerprint', reactor.fingerprint, ...flag.split(' ')],
        { env: { SNAPSYNC_PASSWORD: 'pw' } });

      expect(result.code, result.stderr).to.equal(3);
      expect(result.stderr).to.contain(message);
      expect(reactor.requests).to.deep.equal([]);
      expect(existsSync(join(local, '.private-asp')), 'no local DB or private dir').to.equal(false);
    });
  }

  it('lets --ignore-mode through in a pull, where this side receives', async () => {
    const local = tempDir('snapsync-old-');
    const result = await snapsync(
      ['-N', 'old', '-d', local, '-r', `alice@127.0.0.1:/old`, '-P', String(reactor.port), '--fingerprint', reactor.fingerprint,
        '--ignore-mode', '-K', 'pull'],
      { env: { SNAPSYNC_PASSWORD: 'pw' } });

    expect(result.code, result.stderr).to.equal(6);
    expect(reactor.requests).to.deep.equal(['auth']);
  });

  it('lets --max-delete through in a push, where this side runs the guard', async () => {
    const local = tempDir('snapsync-old-');
    writeFileSync(join(local, 'a.txt'), 'a');

    const result = await snapsync(
      ['-N', 'old', '-d', local, '-r', `alice@127.0.0.1:/old`, '-P', String(reactor.port), '--fingerprint', reactor.fingerprint,
        '--max-delete', '5'],
      { env: { SNAPSYNC_PASSWORD: 'pw' } });

    expect(result.code, result.stderr).to.equal(6);
    expect(reactor.requests).to.deep.equal(['auth']);
  });
});

describe('initiator: a reactor with continuous mode but older than --cooloff-max', () => {
  let reactor: OldReactor;
  beforeEach(async () => {
    reactor = await startOldReactor({ protocolVersion: PROTOCOL_VERSION, features: FEATURES.filter((feature) => feature !== COOLOFF_MAX_FEATURE) });
  });
  afterEach(() => reactor.close());

  const run = (direction: string): Promise<CliResult> => {
    const local = tempDir('snapsync-old-');
    return snapsync(['-N', 'old', '-d', local, '-r', `alice@127.0.0.1:/old`, '-P', String(reactor.port), '--fingerprint', reactor.fingerprint,
      '-C', '--cooloff', '1', '--cooloff-max', '5', '-K', direction], { env: { SNAPSYNC_PASSWORD: 'pw' } });
  };

  for (const direction of ['pull', 'bidi']) {
    it(`refuses --cooloff-max in a ${direction} (the reactor watches) with exit 3 right after the hello`, async () => {
      const result = await run(direction);
      expect(result.code, result.stderr).to.equal(3);
      expect(result.stderr).to.contain('the reactor does not support --cooloff-max (it is older than this snapsync); upgrade it or run without it');
      expect(reactor.requests).to.deep.equal([]);
    });
  }

  it('lets --cooloff-max through in a push, where only this side watches', async () => {
    const result = await run('push');
    expect(result.code, result.stderr).to.equal(6);
    expect(reactor.requests).to.deep.equal(['auth']);
  });
});

describe('initiator: a reactor that speaks another protocol', () => {
  for (const [speaks, named] of [
    [{ protocolVersion: PROTOCOL_VERSION + 1, programVersion: '9.0.0' }, '9.0.0'],
    [{ protocolVersion: 0 }, 'unknown'],
  ] as const) {
    it(`refuses it right after the hello, naming both programs' versions and protocols (reactor ${named})`, async () => {
      const reactor = await startOldReactor(speaks);
      try {
        const local = tempDir('snapsync-old-');
        const result = await snapsync(
          ['-N', 'other', '-d', local, '-r', 'alice@127.0.0.1:/other', '-P', String(reactor.port), '--fingerprint', reactor.fingerprint],
          { env: { SNAPSYNC_PASSWORD: 'pw' } });
        expect(result.code, result.stderr).to.equal(10);
        expect(result.stderr).to.contain(`the reactor is snapsync ${named} speaking protocol ${speaks.protocolVersion}; this is snapsync ` +
          `${SNAPSYNC_VERSION} speaking protocol ${PROTOCOL_VERSION}: install matching snapsync versions on both ends`);
        expect(reactor.requests).to.deep.equal([]);
      } finally {
        await reactor.close();
      }
    });
  }
});
