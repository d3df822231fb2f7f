import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/** TinyproxySetup says what Debian's tinyproxy allows: the ports it tunnels to, and Basic credentials it asks for. */
export interface TinyproxySetup {
  /** connectPorts are the only ports CONNECT may reach (tinyproxy's ConnectPort). */
  readonly connectPorts: readonly number[];
  readonly basicAuth?: { readonly user: string; readonly password: string };
}

/** Tinyproxy is a real tinyproxy process on 127.0.0.1, run in the foreground with its own conf file. */
export interface Tinyproxy {
  readonly port: number;
  readonly url: string;
  /** log is what tinyproxy logged so far (a line for each CONNECT it was asked for). */
  log(): string;
  stop(): Promise<void>;
}

/** freePort asks the kernel for a free loopback port (tinyproxy takes no port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited: ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`tinyproxy did not listen on ${port}: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** startTinyproxy writes a conf in a temp dir and runs `tinyproxy -d -c CONF` on a free loopback port. */
export async function startTinyproxy(setup: TinyproxySetup): Promise<Tinyproxy> {
  const dir = tempDir('snapsync-tinyproxy-');
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const lines = [
    `Port ${port}`, 'Listen 127.0.0.1', 'Timeout 60', 'MaxClients 50', 'Allow 127.0.0.1', 'LogLevel Connect', `LogFile "${logFile}"`,
    ...setup.connectPorts.map((allowed) => `ConnectPort ${allowed}`),
    ...(setup.basicAuth === undefined ? [] : [`BasicAuth ${setup.basicAuth.user} ${setup.basicAuth.password}`]),
  ];
  // Run as root (a CI container), tinyproxy wants a user to drop to.
  if (process.getuid?.() === 0) lines.push('User nobody', 'Group nogroup');
  const conf = join(dir, 'tinyproxy.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  writeFileSync(logFile, '');
  // Dropped to nobody, it must still write its log.
  chmodSync(dir, 0o777);
  chmodSync(logFile, 0o666);
  const child = spawn('/usr/bin/tinyproxy', ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await listening(port, child, () => output);
  const log = (): string => `${readFileSync(logFile, 'utf8')}${output}`;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
