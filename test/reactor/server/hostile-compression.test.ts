import { expect } from 'chai';
import type { Entry } from '@snapsync/core/internal';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { useReactor } from '../../helpers/suite-reactor.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { internalErrors } from '../fuzz/reactor-health.js';
import { loggedIn, openSessionMessage, startSyncMessage } from '../raw-client.js';

const PASSWORD = 'hostile compression pass';

let served = '';

function docroot(): string {
  served = tempDir('snapsync-hostile-zlib-');
  mkdirSync(join(served, 'data'));
  return served;
}

describe('reactor: a compressed chunk that inflates beyond its raw length (--compression)', function () {
  this.timeout(30_000);
  const reactor = useReactor({ password: PASSWORD, docroot });

  it('ends the push with INVALID_MESSAGE naming the file, having inflated no more than the raw length, and lands nothing', async () => {
    const client = await loggedIn(reactor.port, 'alice', PASSWORD);
    expect((await client.request(openSessionMessage('bomb', '/data'))).kind).to.equal('sessionOpened');
    expect((await client.request(startSyncMessage({ compression: 'zlib' }))).kind).to.equal('syncReady');
    client.send({ kind: 'syncReady', scanned: 1 });
    const content = Buffer.alloc(1024);
    const entry: Entry = {
      path: 'bomb.bin', kind: 'file', size: content.length, mtimeUs: 1, mode: 0o644, ino: 0,
      checksum: createHash('sha256').update(content).digest(), linkTarget: null, uid: null, gid: null,
    };
    client.send({ kind: 'changes', changes: [{ kind: 'upsert', entry }], last: true });
    expect(await client.nextMessage()).to.deep.include({ kind: 'want', paths: ['bomb.bin'] });
    // 16 MiB of zeros said to be the file's 1 KiB.
    client.send({
      kind: 'fileData', path: 'bomb.bin', offset: 0, data: deflateSync(Buffer.alloc(16 * 1024 * 1024)), last: true, aborted: false, reason: '',
      compression: 'zlib', rawLength: content.length,
    });
    const error = await client.expectError();
    expect(error).to.deep.equal({ code: 'INVALID_MESSAGE', message: 'compressed data for bomb.bin inflates beyond its raw length (1024 bytes)' });
    await client.expectClose();
    expect(internalErrors(reactor.log())).to.deep.equal([]);
    expect(existsSync(join(served, 'data', 'bomb.bin'))).to.equal(false);
  });
});
