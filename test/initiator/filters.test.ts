import { expect } from 'chai';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// -E/-I rules through the real CLI, in command-line order, including rule files.
describe('initiator: filters', () => {
  function tree(): { src: string; dst: string } {
    const root = tempDir();
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    for (const dir of ['build', 'docs']) mkdirSync(join(src, dir), { recursive: true });
    mkdirSync(dst);
    for (const [path, text] of [['a.txt', 'a'], ['b.log', 'b'], ['build/out.o', 'o'], ['docs/readme.txt', 'r'], ['docs/x.tmp', 't']] as const) {
      writeFileSync(join(src, path), text);
    }
    return { src, dst };
  }

  it('leaves excluded files and whole excluded directories out', async () => {
    const { src, dst } = tree();
    const run = await snapsync(['-N', 'f', '-d', src, '-r', dst, '-E', '*.tmp', '--exclude', 'build/']);
    expect(run.code, run.stderr).to.equal(0);
    expect(['a.txt', 'b.log', 'docs/readme.txt'].every((p) => existsSync(join(dst, p)))).to.equal(true);
    expect(['docs/x.tmp', 'build'].some((p) => existsSync(join(dst, p)))).to.equal(false);
  });

  it('does not delete on the other side a path that a later run excludes', async () => {
    const { src, dst } = tree();
    expect((await snapsync(['-N', 'f', '-d', src, '-r', dst])).code).to.equal(0);
    const run = await snapsync(['-N', 'f', '-d', src, '-r', dst, '-E', '*.log', '-E', 'docs/', '--json']);
    expect(run.code, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).to.include({ deleted: 0 });
    expect(existsSync(join(dst, 'b.log'))).to.equal(true);
    expect(existsSync(join(dst, 'docs', 'readme.txt'))).to.equal(true);
  });

  it('applies rules in command-line order across -I and -E, and reads rule files', async () => {
    const { src, dst } = tree();
    const rules = join(tempDir(), 'rules');
    writeFileSync(rules, '# keep text only\n\n*.txt\n');
    const run = await snapsync(['-N', 'f', '-d', src, '-r', dst, '-I', 'x.tmp', '-E', '*.tmp', '--include-from', rules]);
    expect(run.code, run.stderr).to.equal(0);
    expect(existsSync(join(dst, 'docs', 'x.tmp')), 'an include protects from a later exclude').to.equal(true);
    expect(existsSync(join(dst, 'a.txt'))).to.equal(true);
    expect(existsSync(join(dst, 'b.log')), 'with includes given, unmatched files are out').to.equal(false);
  });

  it('filters a pull on the reactor side too', async () => {
    const { src, dst } = tree();
    const run = await snapsync(['-N', 'p', '-d', dst, '-r', src, '-K', 'pull', '-E', '*.log']);
    expect(run.code, run.stderr).to.equal(0);
    expect(existsSync(join(dst, 'a.txt'))).to.equal(true);
    expect(existsSync(join(dst, 'b.log'))).to.equal(false);
  });

  it('refuses a bad pattern before anything starts', async () => {
    const { src, dst } = tree();
    const run = await snapsync(['-N', 'f', '-d', src, '-r', dst, '-E', '[abc']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal('snapsync: exclude pattern [abc has a "[" without its "]"\n');
    expect(existsSync(join(src, '.private-asp'))).to.equal(false);
  });

  it('refuses a pattern longer than the reactor takes as a usage error, naming it', async () => {
    const { src, dst } = tree();
    const long = `${'x'.repeat(1024)}*`;
    const run = await snapsync(['-N', 'f', '-d', src, '-r', dst, '-E', '*.tmp', '-I', long]);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.equal(`snapsync: include pattern ${'x'.repeat(80)}... is 1025 characters long; at most 1024 are allowed\n`);
    expect(existsSync(join(src, '.private-asp'))).to.equal(false);
  });

  it('refuses rule files adding up to more patterns than the reactor takes as a usage error', async () => {
    const { src, dst } = tree();
    const rules = join(tempDir(), 'rules');
    writeFileSync(rules, Array.from({ length: 4097 }, (_, i) => `${i % 10}`).join('\n'));
    const many = await snapsync(['-N', 'f', '-d', src, '-r', dst, '--exclude-from', rules]);
    expect(many.code).to.equal(2);
    expect(many.stderr).to.equal('snapsync: 4097 filter rules given; at most 4096 are allowed\n');
    writeFileSync(rules, Array.from({ length: 17 }, (_, i) => `${i}`.padEnd(1000, '*')).join('\n'));
    const long = await snapsync(['-N', 'f', '-d', src, '-r', dst, '--exclude-from', rules]);
    expect(long.code).to.equal(2);
    expect(long.stderr).to.equal('snapsync: the filter patterns add up to 17000 characters; at most 16384 are allowed\n');
  });
});

describe('initiator: filters, read the way the command line groups them', () => {
  it('takes -E from a cluster of short flags (-qE PATTERN)', async () => {
    const root = tempDir();
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(join(src, 'docs'), { recursive: true });
    mkdirSync(dst);
    writeFileSync(join(src, 'a.txt'), 'a');
    writeFileSync(join(src, 'docs', 'b.txt'), 'b');
    const run = await snapsync(['-N', 'c', '-d', src, '-r', dst, '-qE', 'docs/']);
    expect(run.code, run.stderr).to.equal(0);
    expect(existsSync(join(dst, 'a.txt'))).to.equal(true);
    expect(existsSync(join(dst, 'docs'))).to.equal(false);
  });

  it('does not count paths a new filter hides as deletions for the mass-delete guard', async () => {
    const root = tempDir();
    const src = join(root, 'src');
    const dst = join(root, 'dst');
    mkdirSync(join(src, 'docs'), { recursive: true });
    mkdirSync(dst);
    writeFileSync(join(src, 'keep'), 'k');
    for (let i = 0; i < 20; i++) writeFileSync(join(src, 'docs', `f${i}`), `${i}`);
    expect((await snapsync(['-N', 'g', '-d', src, '-r', dst])).code).to.equal(0);
    const run = await snapsync(['-N', 'g', '-d', src, '-r', dst, '-E', 'docs/']);
    expect(run.code, run.stderr).to.equal(0);
    expect(existsSync(join(dst, 'docs', 'f0'))).to.equal(true);
  });
});
