import { parseBitRate } from '@snapsync/core';
import { invalidRequest } from './api-error.js';

/**
 * rateRequest reads the body of POST /v1/sessions/ID/rate, {"targetRate": RATE}: a rate as
 * -l writes it ("10M"), or bits per second; "none" or 0 takes the admin's limit away
 * (undefined). Anything else is INVALID_REQUEST saying what is wrong.
 */
export function rateRequest(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('the body must be a JSON object: {"targetRate":"10M"}');
  const keys = Object.keys(body);
  const unknown = keys.find((key) => key !== 'targetRate');
  if (unknown !== undefined) throw invalidRequest(`unknown key "${unknown}"; the body is {"targetRate":"10M"}`);
  const rate = (body as { targetRate?: unknown }).targetRate;
  if (rate === 'none' || rate === 0 || rate === '0') return undefined;
  if (typeof rate === 'number' && Number.isFinite(rate) && rate > 0) return rate;
  const bits = typeof rate === 'string' ? parseBitRate(rate) : undefined;
  if (bits === undefined) {
    throw invalidRequest(`"targetRate" ${JSON.stringify(rate) ?? 'missing'} is not a rate; write it like "100M" (100 Mbit/s), "500k" or "1G", or "none"`);
  }
  return bits;
}
