import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeModes, expectNothingToDo, expectSuccess, type Mode } from '../e2e/modes.js';

const BOTH = ['--preserve-xattrs', 'native', '--preserve-acls', 'native'];

/** tool runs one of the attr/acl commands and gives what it printed. */
const tool = (command: string, ...args: string[]): string => execFileSync(command, args, { encoding: 'utf8' });
/** acl is getfacl's listing without its header line (which names the path). */
const acl = (path: string): string => tool('getfacl', '--omit-header', '--absolute-names', path);

// What a user makes with setfattr and setfacl is what getfattr and getfacl read back on the
// other side: the tools, not snapsync's own reading, say the attributes and ACLs arrived.
describeModes('system: xattrs and ACLs made and read with the attr and acl tools', (mode: Mode) => {
  it('a user xattr, an access ACL and a directory\'s default ACL read back the same after a push, and a change of the ACL alone follows', async () => {
    const pair = mode.pair();
    const file = join(pair.local, 'report.txt');
    const dir = join(pair.local, 'shared');
    writeFileSync(file, 'q3 figures\n');
    mkdirSync(dir);
    tool('setfattr', '-n', 'user.project', '-v', 'apollo', file);
    tool('setfacl', '-m', 'u:nobody:r--,g:users:rw-', file);
    tool('setfacl', '-d', '-m', 'g:users:rwx', dir);
    expectSuccess(await mode.sync('tools', pair, 'push', { extra: BOTH }));

    const landed = join(pair.remote, 'report.txt');
    expect(tool('getfattr', '--absolute-names', '--only-values', '-n', 'user.project', landed)).to.equal('apollo');
    expect(acl(landed)).to.equal(acl(file));
    expect(acl(landed)).to.include('user:nobody:r--');
    expect(acl(join(pair.remote, 'shared'))).to.equal(acl(dir));
    expect(acl(join(pair.remote, 'shared'))).to.include('default:group:users:rwx');
    expectNothingToDo(await mode.sync('tools', pair, 'push', { extra: BOTH }));

    tool('setfacl', '-x', 'u:nobody', file);
    const run = await mode.sync('tools', pair, 'push', { extra: BOTH });
    expectSuccess(run);
    expect(run.summary).to.include({ bytes: 0 });
    expect(acl(landed)).to.equal(acl(file));
    expect(acl(landed)).not.to.include('nobody');
  });
});
