/**
 * WeChat's request signatures: SHA-1 over the lexicographically sorted parts, joined.
 *   URL check and plain messages:  [token, timestamp, nonce]            -> `signature`
 *   safe mode (and its replies):   [token, timestamp, nonce, Encrypt]   -> `msg_signature`
 * In plain mode the signature does not cover the body, only the query: safe mode is the
 * mode that authenticates the message itself (see README).
 */
import * as crypto from 'node:crypto';

/**
 * SHA-1 in one call: `crypto.hash` (Node >= 20.12) builds no Hash object per request, which
 * costs more than hashing these few bytes; older Node 20 releases take the stream API.
 */
const sha1: (data: string) => Buffer = typeof crypto.hash === 'function'
  ? (data) => crypto.hash('sha1', data, 'buffer')
  : (data) => crypto.createHash('sha1').update(data).digest();

// Plain code-unit order, as WeChat's reference code sorts (not localeCompare).
const digestOf = (parts: readonly string[]) => sha1([...parts].sort().join(''));

export function wechatSignature(parts: readonly string[]): string {
  return digestOf(parts).toString('hex');
}

const SHA1_HEX = /^[0-9a-fA-F]{40}$/;

/** Whether `given` is the signature of `parts`; the 20 bytes are compared in constant time. */
export function signatureMatches(given: string | undefined, parts: readonly string[]): boolean {
  if (typeof given !== 'string' || !SHA1_HEX.test(given)) return false;
  return crypto.timingSafeEqual(Buffer.from(given, 'hex'), digestOf(parts));
}
