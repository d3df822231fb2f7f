import { SnapsyncError } from '@snapsync/core';
import { connect, type Socket } from 'node:net';
import { shownProxy, type ProxySpec } from '../options/proxy.js';
import { hostForUrl } from '../options/remote-spec.js';

/** MAX_ANSWER_BYTES bounds a proxy's answer to CONNECT (its status line and headers). */
const MAX_ANSWER_BYTES = 16 * 1024;

/**
 * openTunnel asks an HTTP proxy for a tunnel to host:port (CONNECT) and resolves with the socket
 * once the proxy answered 200: from then on its bytes are the reactor's, and the TLS that runs
 * over it (the reactor's certificate, pinned) is end to end: the proxy sees only ciphertext.
 */
export function openTunnel(proxy: ProxySpec, host: string, port: number, timeoutMs: number): Promise<Socket> {
  const target = `${hostForUrl(host)}:${port}`;
  const via = `the proxy ${shownProxy(proxy)} (${proxy.from})`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: proxy.host, port: proxy.port });
    let answer = Buffer.alloc(0);
    const fail = (err: SnapsyncError): void => {
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new SnapsyncError('CONNECTION_FAILED', `${via} did not open a tunnel to ${target} in time`)), timeoutMs);
    socket.once('connect', () => socket.write(connectRequest(proxy, target)));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = err.code === 'ECONNREFUSED' ? 'connection refused; is the proxy running there?'
        : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' ? 'host name not found' : err.message;
      fail(new SnapsyncError('CONNECTION_FAILED', `cannot reach ${via}: ${why}`, { cause: err }));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      fail(new SnapsyncError('CONNECTION_FAILED', `${via} closed the connection before answering CONNECT ${target}`));
    });
    const onData = (chunk: Buffer): void => {
      answer = Buffer.concat([answer, chunk]);
      const end = answer.indexOf('\r\n\r\n');
      if (end === -1) {
        if (answer.length > MAX_ANSWER_BYTES) fail(new SnapsyncError('CONNECTION_FAILED', `${via} answered CONNECT with no end to its headers`));
        return;
      }
      clearTimeout(timer);
      socket.off('data', onData);
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      const status = statusOf(answer.subarray(0, end).toString('latin1'));
      if (status.code !== 200) {
        fail(refusal(status, via, target, proxy));
        return;
      }
      // Bytes past the headers are already the reactor's.
      const rest = answer.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('data', onData);
  });
}

function connectRequest(proxy: ProxySpec, target: string): string {
  const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
  if (proxy.user !== undefined) {
    lines.push(`Proxy-Authorization: Basic ${Buffer.from(`${proxy.user}:${proxy.password ?? ''}`).toString('base64')}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function statusOf(head: string): { code: number; line: string } {
  const line = head.split('\r\n', 1)[0] ?? '';
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(line);
  return { code: match === null ? 0 : Number(match[1]), line: match === null ? line.slice(0, 80) : `${match[1]} ${match[2] ?? ''}`.trim() };
}

/** refusal says why a proxy would not open the tunnel, and what to check. */
function refusal(status: { code: number; line: string }, via: string, target: string, proxy: ProxySpec): SnapsyncError {
  if (status.code === 0) return new SnapsyncError('CONNECTION_FAILED', `${via} did not answer CONNECT as an HTTP proxy (${JSON.stringify(status.line)}); check the proxy's host and port`);
  // tinyproxy answers wrong credentials with 401, not 407.
  if (status.code === 407 || (status.code === 401 && proxy.user !== undefined)) {
    return new SnapsyncError('CONNECTION_FAILED', proxy.user === undefined
      ? `${via} wants credentials (HTTP ${status.line}); give them as http://USER:PASS@host:port`
      : `${via} refused the credentials of ${proxy.user} (HTTP ${status.line}); check the user and password in the proxy URL`);
  }
  return new SnapsyncError('CONNECTION_FAILED', `${via} refused to open a tunnel to ${target} (HTTP ${status.line}); ` +
    'the proxy may not allow CONNECT to that port (tinyproxy: ConnectPort, squid: SSL_ports)');
}
