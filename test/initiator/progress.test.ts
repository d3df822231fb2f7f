import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TransferProgress } from '@snapsync/core';
import {
  createReporter, ProgressBar, TransferStats, formatBytes, formatDuration, renderLine,
} from '@snapsync/initiator/internal';
import { bins } from '../helpers/paths.js';
import { snapsync, type CliResult } from '../helpers/run-cli.js';
import { tempPair } from '../helpers/temp-dir.js';

const MB = 1024 * 1024;
const planned = (bytes: number): TransferProgress => ({ kind: 'planned', bytes });
const moved = (bytes: number): TransferProgress => ({ kind: 'moved', bytes });
const CLEAR = '\r\x1b[K';
/** FRAME is one drawn bar: percent, bytes so far/planned, rate (or -- before one is known), ETA, bar. */
const FRAME = /\r {0,3}\d{1,3}% [\d.]+ [KMGTP]?B\/[\d.]+ [KMGTP]?B +(?:[\d.]+ [KMGTP]?B\/s|--) +ETA (?:(?:\d+:)?\d+:\d\d|--:--) +\[[#.]+\]\x1b\[K/;

describe('initiator: progress bar formatting', () => {
  it('formats byte counts as B, KB, MB and GB with at most three digits', () => {
    expect(formatBytes(0)).to.equal('0 B');
    expect(formatBytes(512)).to.equal('512 B');
    expect(formatBytes(1536)).to.equal('1.5 KB');
    expect(formatBytes(310 * MB)).to.equal('310 MB');
    expect(formatBytes(1.2 * 1024 * MB)).to.equal('1.2 GB');
    expect(formatBytes(1023 * 1024)).to.equal('1.0 MB');
  });

  it('formats durations as m:ss or h:mm:ss and unknown ones as --:--', () => {
    expect(formatDuration(5)).to.equal('0:05');
    expect(formatDuration(125)).to.equal('2:05');
    expect(formatDuration(3725)).to.equal('1:02:05');
    expect(formatDuration(undefined)).to.equal('--:--');
    expect(formatDuration(Infinity)).to.equal('--:--');
  });

  it('measures the rate over the recent window, not the whole run', () => {
    const stats = new TransferStats(5000);
    stats.record(planned(100 * MB), 0);
    for (let s = 1; s <= 5; s += 1) stats.record(moved(10 * MB), s * 1000);
    expect(stats.rate(5000)).to.be.closeTo(10 * MB, 1);
    // The link slows to 1 MB/s: after a full window only the slow seconds count.
    for (let s = 6; s <= 12; s += 1) stats.record(moved(MB), s * 1000);
    expect(stats.rate(12_000)).to.be.closeTo(MB, 1);
  });

  it('shows the rate falling while nothing moves', () => {
    const stats = new TransferStats(5000);
    stats.record(planned(10 * MB), 0);
    stats.record(moved(4 * MB), 1000);
    expect(stats.rate(1000)).to.be.closeTo(4 * MB, 1);
    expect(stats.rate(2000)).to.be.closeTo(2 * MB, 1);
  });

  it('estimates the ETA from the planned bytes still to move and the rate', () => {
    const stats = new TransferStats();
    stats.record(planned(100 * MB), 0);
    stats.record(moved(40 * MB), 4000);
    const rate = stats.rate(4000);
    expect(stats.percent()).to.equal(40);
    expect(stats.eta(rate)).to.be.closeTo(6, 0.001);
    const line = renderLine(stats, rate, 100);
    expect(line).to.match(/^ {2}40% 40 MB\/100 MB +10 MB\/s {2}ETA 0:06 +\[#+\.+\]$/);
  });

  it('shows no rate or ETA before any time has passed', () => {
    const stats = new TransferStats();
    stats.record(planned(8 * MB), 0);
    expect(stats.rate(0)).to.equal(undefined);
    expect(renderLine(stats, stats.rate(0), 80)).to.match(/^ {3}0% 0 B\/8.0 MB +-- {2}ETA --:-- +\[\.+\]$/);
  });

  it('fits the line one column short of the terminal width and drops the bar when narrow', () => {
    const stats = new TransferStats();
    stats.record(planned(2 * MB), 0);
    stats.record(moved(MB), 1000);
    for (const columns of [60, 80, 200]) expect(renderLine(stats, stats.rate(1000), columns)).to.have.length(columns - 1);
    const narrow = renderLine(stats, stats.rate(1000), 40);
    expect(narrow).to.not.include('[');
    expect(narrow.length).to.be.at.most(39);
    expect(narrow).to.match(/^ {2}50% 1.0 MB\/2.0 MB/);
  });

  it('fills the bar in proportion to the bytes moved', () => {
    const stats = new TransferStats();
    stats.record(planned(4 * MB), 0);
    stats.record(moved(MB), 1000);
    const bar = /\[(#*)(\.*)\]$/.exec(renderLine(stats, stats.rate(1000), 120))!;
    const width = bar[1]!.length + bar[2]!.length;
    expect(bar[1]!.length).to.equal(Math.round(width / 4));
  });
});

describe('initiator: progress bar on a terminal', () => {
  function bar(intervalMs = 100): { bar: ProgressBar; writes: string[]; clock: { now: number } } {
    const writes: string[] = [];
    const clock = { now: 0 };
    return { bar: new ProgressBar({ write: (text) => writes.push(text), now: () => clock.now, columns: () => 80, intervalMs }), writes, clock };
  }

  it('redraws in place at most once per interval', () => {
    const { bar: progress, writes, clock } = bar(100);
    for (const at of [0, 50, 99, 100, 150, 250]) {
      clock.now = at;
      progress.update(moved(1));
    }
    expect(writes).to.have.length(3);
    for (const frame of writes) {
      expect(frame.startsWith('\r')).to.equal(true);
      expect(frame.endsWith('\x1b[K')).to.equal(true);
      expect(frame).to.not.include('\n');
    }
  });

  it('erases a drawn bar once and writes nothing when none is drawn', () => {
    const { bar: progress, writes } = bar();
    progress.clear();
    expect(writes).to.deep.equal([]);
    progress.update(planned(MB));
    progress.clear();
    progress.clear();
    expect(writes.slice(1)).to.deep.equal([CLEAR]);
  });

  it('stays erased after close when late events arrive', () => {
    const { bar: progress, writes, clock } = bar();
    progress.update(planned(MB));
    progress.close();
    clock.now = 10_000;
    progress.update(moved(MB));
    expect(writes).to.have.length(2);
    expect(writes[1]).to.equal(CLEAR);
  });
});

describe('initiator: reporter and the progress bar', () => {
  function human(progress: boolean): { reporter: ReturnType<typeof createReporter>; log: string[] } {
    const log: string[] = [];
    const reporter = createReporter({ json: false, quiet: false, progress },
      (text) => log.push(`out:${text}`), (text) => log.push(`err:${text}`));
    return { reporter, log };
  }

  it('erases the bar before a per-path line', () => {
    const { reporter, log } = human(true);
    reporter.transfer()!.update(planned(MB));
    reporter.perPath('synchronized', 'a.txt');
    expect(log.slice(1)).to.deep.equal([`out:${CLEAR}`, 'out:/a.txt SYNCHRONIZED\n']);
  });

  it('erases the bar on stdout before an error line on stderr', () => {
    const { reporter, log } = human(true);
    reporter.transfer()!.update(planned(MB));
    reporter.perPath('error', 'b.txt', 'permission denied');
    expect(log.slice(1)).to.deep.equal([`out:${CLEAR}`, 'err:/b.txt ERROR (permission denied)\n']);
  });

  it('erases the bar before a warning and before an event such as the summary', () => {
    for (const say of [(r: ReturnType<typeof createReporter>) => r.warn('retrying'),
      (r: ReturnType<typeof createReporter>) => r.event('summary', 'Done', {})]) {
      const { reporter, log } = human(true);
      reporter.transfer()!.update(planned(MB));
      say(reporter);
      expect(log[1]).to.equal(`out:${CLEAR}`);
      expect(log).to.have.length(3);
    }
  });

  it('offers no bar under --json, -q, or when stdout is not a terminal', () => {
    const quiet = (json: boolean, q: boolean, progress: boolean) => createReporter({ json, quiet: q, progress }, () => {}, () => {});
    expect(quiet(true, false, true).transfer()).to.equal(undefined);
    expect(quiet(false, true, true).transfer()).to.equal(undefined);
    expect(quiet(false, false, false).transfer()).to.equal(undefined);
    expect(quiet(false, false, true).transfer()).to.be.an.instanceOf(ProgressBar);
  });
});

describe('initiator: progress bar end to end', function () {
  this.timeout(30_000);

  /** inTerminal runs the CLI in a pseudo-terminal (util-linux script) and returns what it showed. */
  function inTerminal(args: readonly string[]): Promise<CliResult> {
    const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
    const command = [process.execPath, bins.snapsync, ...args].map(quote).join(' ');
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  function tree(): { local: string; remote: string; content: Buffer } {
    const { local, remote } = tempPair();
    const content = randomBytes(8 * 1000 * 1000);
    writeFileSync(join(local, 'big.bin'), content);
    return { local, remote, content };
  }

  before(async function () {
    const probe = await new Promise<number | null>((resolve) => {
      spawn('script', ['--version'], { stdio: 'ignore' }).on('error', () => resolve(null)).on('close', resolve);
    });
    expect(probe, 'these tests need util-linux `script` for a pseudo-terminal (apt-get install util-linux)').to.equal(0);
  });

  it('draws the bar in a terminal and erases it before the per-path line and the summary', async () => {
    const { local, remote, content } = tree();
    const result = await inTerminal(['-N', 'bar', '-d', local, '-r', remote]);
    expect(result.code, result.stdout).to.equal(0);
    expect(result.stdout).to.match(FRAME);
    expect(result.stdout).to.include(`${CLEAR}/big.bin SYNCHRONIZED\r\n`);
    const lines = result.stdout.split('\r\n');
    const summary = lines.find((line) => line.includes('Done in'));
    expect(summary).to.match(/^Done in [\d.]+ s: 1 files synchronized \(8000000 bytes\),.* 0 errors$/);
    expect(readFileSync(join(remote, 'big.bin')).equals(content)).to.equal(true);
  });

  it('draws no bar in a terminal under -q or --json', async () => {
    for (const flag of ['-q', '--json']) {
      const { local, remote } = tree();
      const result = await inTerminal(['-N', 'bar', '-d', local, '-r', remote, flag]);
      expect(result.code, result.stdout).to.equal(0);
      expect(result.stdout, flag).to.not.match(/\r(?!\n)/);
      expect(result.stdout, flag).to.not.include('\x1b[K');
    }
  });

  it('prints no bar when stdout is a pipe', async () => {
    const { local, remote } = tree();
    const result = await snapsync(['-N', 'pipe', '-d', local, '-r', remote]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.not.include('\r');
    expect(result.stdout).to.not.include('\x1b[K');
    expect(result.stdout).to.not.match(/\d+% /);
    expect(result.stdout).to.match(/^Done in [\d.]+ s: 1 files synchronized/m);
  });
});
