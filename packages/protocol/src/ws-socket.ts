import type { WebSocket } from 'ws';
import type { CloseInfo, FrameSocket } from './frame-socket.js';

/** wsFrameSocket adapts a `ws` WebSocket (already open) to a FrameSocket. */
export function wsFrameSocket(ws: WebSocket): FrameSocket {
  ws.binaryType = 'nodebuffer';
  return {
    send(data: Uint8Array): void {
      if (ws.readyState === ws.OPEN) ws.send(data, { binary: true });
    },
    close(code = 1000, reason = ''): void {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    },
    onData(listener: (data: Uint8Array, binary: boolean) => void): void {
      ws.on('message', (data, binary) => listener(toBytes(data), binary));
    },
    onClose(listener: (info: CloseInfo) => void): void {
      ws.on('close', (code, reason) => listener({ code, reason: reason.toString() }));
    },
    bufferedAmount: () => ws.bufferedAmount,
  };
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/**
 * zeroMask makes `ws` skip client-frame masking. Masking guards HTTP proxies against
 * cache poisoning by cleartext WebSockets; inside TLS it only costs throughput (3-4x
 * without bufferutil), so the initiator sends an all-zero mask, which ws then skips.
 */
export function zeroMask(mask: Buffer): void {
  mask.fill(0);
}
