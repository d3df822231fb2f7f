import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync } from '../../helpers/run-cli.js';
import { sharing } from '../../helpers/suite-reactor.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { parseRun } from '../../e2e/modes.js';
import { initiatorArgs, useAdminReactor } from './admin-client.js';

const PASSWORD = 'metrics pass';

/** sample reads one sample of a Prometheus text exposition (0 when absent, as a counter not yet counted). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

// /metrics on a serving reactor reads what its sessions did: scraped around a real push, the
// counters move by exactly the run's summary.
describe('reactor/admin/metrics', function () {
  this.timeout(60_000);
  const admin = useAdminReactor(sharing(PASSWORD, 'alice'));

  async function scrape(): Promise<string> {
    const response = await admin.request('/metrics');
    expect(response.status).to.equal(200);
    expect(String(response.headers['content-type'])).to.match(/^text\/plain; version=0\.0\.4/);
    return response.text;
  }

  it('counts a push session\'s files and bytes as received, matching its summary', async () => {
    const local = join(tempDir('snapsync-metrics-'), 'local');
    mkdirSync(local);
    mkdirSync(join(admin.reactor.docroot, 'pushed'));
    for (let i = 0; i < 5; i += 1) writeFileSync(join(local, `file-${i}.bin`), Buffer.alloc(1000 * (i + 1), i));
    const before = await scrape();
    const run = parseRun(await snapsync([...initiatorArgs(admin.reactor, 'metrics-push', local, 'pushed'), '-K', 'push', '--json'],
      { env: { SNAPSYNC_PASSWORD: PASSWORD } }));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.summary).to.include({ files: 5, bytes: 15_000 });
    const after = await scrape();
    const delta = (series: string): number => sample(after, series) - sample(before, series);
    expect(delta('snapsync_files_total{direction="received"}')).to.equal(run.summary.files);
    expect(delta('snapsync_bytes_total{direction="received"}')).to.equal(run.summary.bytes);
    expect(delta('snapsync_files_total{direction="sent"}')).to.equal(0);
    expect(delta('snapsync_bytes_total{direction="sent"}')).to.equal(0);
    expect(delta('snapsync_sessions_total')).to.equal(1);
    expect(delta('snapsync_sessions_failed_total')).to.equal(0);
    expect(sample(after, 'snapsync_sessions_running')).to.equal(0);
  });

  it('counts a pull\'s files and bytes as sent', async () => {
    const local = join(tempDir('snapsync-metrics-'), 'local');
    mkdirSync(local);
    mkdirSync(join(admin.reactor.docroot, 'pulled'));
    writeFileSync(join(admin.reactor.docroot, 'pulled', 'one.bin'), Buffer.alloc(4321, 1));
    const before = await scrape();
    const run = parseRun(await snapsync([...initiatorArgs(admin.reactor, 'metrics-pull', local, 'pulled'), '-K', 'pull', '--json'],
      { env: { SNAPSYNC_PASSWORD: PASSWORD } }));
    expect(run.code, run.stderr).to.equal(0);
    const after = await scrape();
    expect(sample(after, 'snapsync_files_total{direction="sent"}') - sample(before, 'snapsync_files_total{direction="sent"}')).to.equal(1);
    expect(sample(after, 'snapsync_bytes_total{direction="sent"}') - sample(before, 'snapsync_bytes_total{direction="sent"}')).to.equal(4321);
  });

  it('counts failed session logins apart from failed admin logins', async () => {
    const local = tempDir('snapsync-metrics-');
    const before = await scrape();
    const refused = await snapsync(initiatorArgs(admin.reactor, 'metrics-login', local, ''), { env: { SNAPSYNC_PASSWORD: 'wrong' } });
    expect(refused.code, refused.stderr).to.equal(6);
    const after = await scrape();
    expect(sample(after, 'snapsync_logins_failed_total') - sample(before, 'snapsync_logins_failed_total')).to.equal(1);
    expect(sample(after, 'snapsync_admin_logins_failed_total')).to.equal(sample(before, 'snapsync_admin_logins_failed_total'));
  });

  it('includes the build info and the process metrics', async () => {
    const text = await scrape();
    expect(sample(text, 'snapsync_build_info{version="0.1.0",protocol="1"}')).to.equal(1);
    expect(sample(text, 'process_resident_memory_bytes')).to.be.greaterThan(0);
    expect(text).to.match(/^process_cpu_seconds_total \d/m);
    expect(text).to.match(/^nodejs_heap_size_used_bytes \d/m);
    for (const name of ['snapsync_sessions_running', 'snapsync_errors_total', 'snapsync_session_last_sync_timestamp_seconds',
      'snapsync_session_pending_paths']) {
      expect(text).to.include(`# TYPE ${name} `);
    }
  });
});
