/**
 * WeChat's request signatures: SHA-1 over the lexicographically sorted parts, joined.
 *   URL check and plain messages:  [token, timestamp, nonce]            -> `signature`
 *   safe mode (and its replies):   [token, timestamp, nonce, Encrypt]   -> `msg_signature`
 * In plain mode the signature does not cover the body, only the query: safe mode is the
 * mode that authenticates the message itself (see README).
 */
import { createHash } from 'node:crypto';
import { safeEqual } from '../../src/server/http.js';

export function wechatSignature(parts: readonly string[]): string {
  // Plain code-unit order, as WeChat's reference code sorts (not localeCompare).
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** Whether `given` is the signature of `parts`; compared in constant time. */
export function signatureMatches(given: string | undefined, parts: readonly string[]): boolean {
  if (typeof given !== 'string' || !/^[0-9a-fA-F]{40}$/.test(given)) return false;
  return safeEqual(given.toLowerCase(), wechatSignature(parts));
}
