/**
 * parseBitRate reads a rate as Aspera writes `-l`: bits per second with an optional k/M/G
 * suffix (`100M`, `500k`, `1G`, `2.5m`, `100Mbps`); undefined when it is not one (or not above 0).
 */
export function parseBitRate(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([kKmMgG]?)(?:bps)?$/.exec(text.trim());
  if (!match) return undefined;
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[(match[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  const bits = Number(match[1]) * scale;
  return bits > 0 ? bits : undefined;
}
