/**
 * What we answer WeChat: passive replies inside the webhook's response (the same XML with
 * To/From swapped), the hand-over to WeChat's own agent system, and the safe-mode envelope.
 */
import { randomBytes } from 'node:crypto';
import { encryptMessage, type AesKey } from './crypto.js';
import { wechatSignature } from './signature.js';
import { buildXml } from './xml.js';

/** Who the inbound message was from and to: the reply goes the other way. */
export interface ReplyTo {
  /** The account's original id (`gh_...`): the inbound ToUserName. */
  account: string;
  openid: string;
}

/** WeChat rejects a text message over 2048 bytes of UTF-8 (errcode 45002). */
export const MAX_TEXT_BYTES = 2048;

const seconds = (now: number) => Math.floor(now / 1000);

export function passiveText(to: ReplyTo, text: string, now: number): string {
  return buildXml([['ToUserName', to.openid], ['FromUserName', to.account], ['CreateTime', seconds(now)], ['MsgType', 'text'], ['Content', text]]);
}

/**
 * Hands the customer to WeChat's agent system (多客服). Without a KfAccount WeChat picks a
 * free agent; the conversation then continues there and WeChat stops pushing the
 * customer's messages to us until that session ends.
 */
export function passiveTransfer(to: ReplyTo, now: number, kfAccount?: string): string {
  return buildXml([
    ['ToUserName', to.openid], ['FromUserName', to.account], ['CreateTime', seconds(now)], ['MsgType', 'transfer_customer_service'],
    ...(kfAccount ? [['TransInfo', [['KfAccount', kfAccount]]] as [string, [string, string][]]] : []),
  ]);
}

export interface SealOptions {
  token: string;
  appId: string;
  key: AesKey;
  now: number;
  nonce?: string;
  randomPrefix?: Buffer;
}

/** The safe-mode reply: the reply XML encrypted, signed with msg_signature. */
export function sealReply(xml: string, o: SealOptions): string {
  const encrypt = encryptMessage(xml, o.appId, o.key, o.randomPrefix);
  const timestamp = String(seconds(o.now));
  const nonce = o.nonce ?? String(randomBytes(4).readUInt32BE(0));
  const signature = wechatSignature([o.token, timestamp, nonce, encrypt]);
  return buildXml([['Encrypt', encrypt], ['MsgSignature', signature], ['TimeStamp', Number(timestamp)], ['Nonce', nonce]]);
}

/** Whether `text` fits one WeChat text message (code points for our limit, bytes for WeChat's). */
export function fitsOneMessage(text: string, maxCodePoints: number): boolean {
  // A string never has more code points than UTF-16 units: counted only when it might matter.
  return Buffer.byteLength(text, 'utf8') <= MAX_TEXT_BYTES && (text.length <= maxCodePoints || Array.from(text).length <= maxCodePoints);
}

/** Several replies shown as one passive message: a passive reply carries exactly one. */
export const joinReplies = (texts: readonly string[]): string => texts.join('\n\n');
