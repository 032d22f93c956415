/**
 * Fan-service (粉丝服务) request signatures: SHA-1 over the lexicographically sorted
 * [appsecret, timestamp, nonce], joined, hex; the same scheme as WeChat's with the app
 * secret in place of the token. It covers the query only, never the body.
 */
import { signatureMatches as sha1SortedMatches, wechatSignature } from '../wechat/signature.js';

export const weiboSignature = (appSecret: string, timestamp: string, nonce: string): string => wechatSignature([appSecret, timestamp, nonce]);

/** Whether `given` signs (appSecret, timestamp, nonce); compared in constant time. */
export const weiboSignatureMatches = (given: string | undefined, appSecret: string, timestamp: string, nonce: string): boolean =>
  sha1SortedMatches(given, [appSecret, timestamp, nonce]);
