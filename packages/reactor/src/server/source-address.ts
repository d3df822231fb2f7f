import { isIPv6 } from 'node:net';

/**
 * sourceOf is what per-address limits count a peer by: its IPv4 address (an IPv4-mapped IPv6
 * address is read as IPv4), or the /64 of an IPv6 address, since one host commonly holds a
 * whole /64 and could otherwise pass for 2^64 strangers.
 */
export function sourceOf(address: string | undefined): string {
  if (address === undefined || address === '') return '?';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** addressOf is the plain IP of a peer for log lines (an IPv4-mapped address as IPv4). */
export function addressOf(address: string | undefined): string {
  if (address === undefined || address === '') return '?';
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
}

/** expandIPv6 gives the eight groups of an IPv6 address, `::` filled in, zone dropped. */
function expandIPv6(address: string): string[] {
  const bare = address.split('%')[0]!;
  const [head = '', tail] = bare.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  // A dotted IPv4 tail (::1.2.3.4) takes two groups.
  const last = right.length > 0 ? right : left;
  if (last.length > 0 && last[last.length - 1]!.includes('.')) last.splice(last.length - 1, 1, '0', '0');
  const fill = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => '0');
  return [...left, ...(tail === undefined ? [] : fill), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
