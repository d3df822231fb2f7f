import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCli } from '../helpers/cli-process.js';
import { bins } from '../helpers/paths.js';
import { useReactor } from '../helpers/suite-reactor.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { tempDir } from '../helpers/temp-dir.js';

const PASSWORD = 'lost correct horse';

// The connection can go at any moment, also while this side still scans: the run is tried
// again as documented (exit 4 only once the tries are spent), never an uncaught exception.
describe('initiator: a connection lost while this side scans', function () {
  this.timeout(60_000);
  const reactor = useReactor({ password: PASSWORD });

  it('is tried again and converges, with no stack trace', async () => {
    const local = tempDir('snapsync-lost-home-');
    // Enough files that the local scan is still running when the cut lands.
    for (let d = 0; d < 20; d++) {
      mkdirSync(join(local, `d${d}`));
      for (let f = 0; f < 400; f++) writeFileSync(join(local, `d${d}`, `f${f}.txt`), `${d}/${f}`);
    }
    mkdirSync(join(reactor.docroot, 'lost'));
    const proxy = new TcpProxy(reactor.port);
    await proxy.start();
    const run = startCli(bins.snapsync, [
      '-N', 'lost', '-d', local, '-r', 'alice@127.0.0.1:/lost', '-P', String(proxy.port), '--fingerprint', reactor.fingerprint,
      '--json',
    ], { SNAPSYNC_PASSWORD: PASSWORD });
    try {
      // session_start comes just before the scan starts: cut then, and let the retry through.
      while (!run.stdout().includes('"event":"session_start"') && run.child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      proxy.cut();
      proxy.restore();
      const result = await run.exited;
      expect(result.stderr).not.to.match(/^\s+at /m);
      expect(result.stderr).to.match(/trying again in 1 s/);
      expect(result.code, result.stderr).to.equal(0);
      expect(run.events().filter((event) => event.event === 'summary').at(-1)).to.include({ files: 8020, errors: 0 });
    } finally {
      await run.stop('SIGKILL');
      await proxy.stop();
    }
  });
});
