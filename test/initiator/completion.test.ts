import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapsync, snapsyncAdmin, type CliResult } from '../helpers/run-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

type Program = (args: readonly string[]) => Promise<CliResult>;

/** helpFlags are the flags `--help` lists: what a person can type, read apart from the parser. */
async function helpFlags(program: Program): Promise<string[]> {
  const help = await program(['--help']);
  expect(help.code).to.equal(0);
  return [...new Set(help.stdout.match(/(?<=^|[\s,])--?[A-Za-z][\w-]*/gm) ?? [])].filter((flag) => flag !== '--no-fsync');
}

/** complete runs the bash script's completion function on a command line, the last word being completed. */
function complete(script: string, words: readonly string[]): string[] {
  const file = join(tempDir('snapsync-completion-'), 'snapsync.bash');
  writeFileSync(file, script);
  const line = words.map((word) => `'${word}'`).join(' ');
  const run = spawnSync('bash', ['-c', `source ${file}; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _snapsync; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { encoding: 'utf8' });
  expect(run.stderr).to.equal('');
  return run.stdout.split('\n').filter((word) => word !== '');
}

describe('initiator: shell completion', () => {
  for (const [name, program, extra] of [['snapsync', snapsync, ['--no-fsync', '-K', '-E']], ['snapsync-admin', snapsyncAdmin, ['-f', '-N']]] as const) {
    it(`offers every flag ${name} --help lists, in bash and in zsh`, async () => {
      const flags = await helpFlags(program);
      expect(flags).to.include.members(['--completion', '--version', '-d', ...extra.filter((flag) => flag !== '--no-fsync')]);
      for (const shell of ['bash', 'zsh']) {
        const result = await program(['--completion', shell]);
        expect(result.code, result.stderr).to.equal(0);
        const offered = new Set(result.stdout.match(/--?[A-Za-z][\w-]*/g));
        for (const flag of [...flags, ...extra]) expect(offered.has(flag), `${shell} offers ${flag}`).to.equal(true);
      }
    });
  }

  it('completes flags, and each flag\'s values by kind, when bash runs the script', async () => {
    const script = (await snapsync(['--completion', 'bash'])).stdout;
    expect(spawnSync('bash', ['-n'], { input: script }).status, 'bash -n').to.equal(0);
    expect(complete(script, ['snapsync', '--dir'])).to.deep.equal(['--direction']);
    expect(complete(script, ['snapsync', '--no-'])).to.deep.equal(['--no-fsync']);
    expect(complete(script, ['snapsync', '-K', ''])).to.deep.equal(['push', 'pull', 'bidi']);
    expect(complete(script, ['snapsync', '--checksum', 'sh'])).to.deep.equal(['sha256', 'sha1']);
    const dirs = tempDir('snapsync-completion-dirs-');
    spawnSync('mkdir', [join(dirs, 'alpha'), join(dirs, 'beta')]);
    writeFileSync(join(dirs, 'a-file'), '');
    expect(complete(script, ['snapsync', '-d', `${dirs}/`]).sort()).to.deep.equal([join(dirs, 'alpha'), join(dirs, 'beta')]);
  });

  it('writes zsh\'s _arguments with each flag\'s names, its values and -E/-I repeatable', async () => {
    const script = (await snapsync(['--completion', 'zsh'])).stdout;
    expect(script.startsWith('#compdef snapsync\n')).to.equal(true);
    expect(script).to.include(`'(--direction -K)'{--direction,-K}':value:(push pull bidi)'`);
    expect(script).to.include(`'(--local-dir -d)'{--local-dir,-d}':directory:_files -/'`);
    expect(script).to.include(`'*'{--exclude,-E}':value: '`);
    expect(script).to.include(`'(--reset -x)'{--reset,-x}''`);
  });

  it('refuses a shell it does not know, in one line, exit 2', async () => {
    const result = await snapsync(['--completion', 'fish']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.equal('snapsync: --completion fish is not one of bash, zsh\n');
  });
});
