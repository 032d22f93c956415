/**
 * A parsed WeChat message (the fields of `<xml>`) in the message contract. Pure: tested on
 * recorded payloads in fixtures/.
 *
 * Identity: the thread is `ToUserName:FromUserName` (the account's original id `gh_...` and
 * the customer's openid, which is per account anyway). Idempotency: MsgId, kept as a string
 * (64-bit); events have no MsgId, so WeChat's own advice is used: sender + CreateTime, plus
 * the event name because one CreateTime second can carry e.g. subscribe and LOCATION.
 */
import type { Attachment, InboundMessageInput } from '../../src/contract.js';
import { field, type XmlNode } from './xml.js';

/**
 * A message that satisfies the contract by construction (every length is bounded or checked
 * here), so it is not run through the contract's schema twice: `pipeline.ingest` validates it.
 */
export type InboundResult = { ok: true; message: InboundMessageInput } | { ok: false; reason: string };

/** Events WeChat documents for official accounts; any other becomes `unknown:event:<name>`. */
const KNOWN_EVENTS = new Set([
  'subscribe', 'unsubscribe', 'SCAN', 'LOCATION', 'CLICK', 'VIEW',
  'scancode_push', 'scancode_waitmsg', 'pic_sysphoto', 'pic_photo_or_album', 'pic_weixin', 'location_select', 'view_miniprogram',
]);

// openids and original ids are base64url-like; the colon is our thread-key separator.
const ACCOUNT_ID = /^[\w-]{1,64}$/;
// The contract's limits (src/contract.ts).
const MAX_TEXT = 20000;
const MAX_MESSAGE_ID = 256;
const MAX_REF = 2048;

const number = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
};

/** Drops undefined values so stored JSON stays small and comparable. */
const compact = (meta: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined && v !== ''));

function media(xml: XmlNode, msgType: string): { attachment: Attachment; text: string } | null {
  const f = (name: string) => field(xml, name);
  switch (msgType) {
    case 'image':
      return { attachment: { kind: 'image', ref: f('MediaId') ?? f('PicUrl'), meta: compact({ picUrl: f('PicUrl') }) }, text: '' };
    case 'voice':
      // With speech recognition switched on, WeChat sends the transcript: that is the text.
      return { attachment: { kind: 'voice', ref: f('MediaId'), meta: compact({ format: f('Format') }) }, text: f('Recognition')?.trim() ?? '' };
    case 'video':
    case 'shortvideo':
      return { attachment: { kind: 'video', ref: f('MediaId'), meta: compact({ thumbMediaId: f('ThumbMediaId'), short: msgType === 'shortvideo' || undefined }) }, text: '' };
    case 'location':
      // WeChat's Location_X is the latitude and Location_Y the longitude.
      return {
        attachment: { kind: 'location', meta: compact({ latitude: number(f('Location_X')), longitude: number(f('Location_Y')), scale: number(f('Scale')), label: f('Label') }) },
        text: f('Label') ?? '',
      };
    case 'link':
      return { attachment: { kind: 'link', ref: f('Url'), name: f('Title')?.slice(0, 512), meta: compact({ description: f('Description') }) }, text: f('Title') ?? '' };
    default:
      return null;
  }
}

/** The event's detail: the QR scene for subscribe/SCAN (without `qrscene_`), else EventKey. */
function eventKey(event: string, xml: XmlNode): string | undefined {
  const key = field(xml, 'EventKey')?.trim();
  if (!key) return undefined;
  return (event === 'subscribe' ? key.replace(/^qrscene_/, '') : key).slice(0, 512);
}

export function wechatInbound(xml: XmlNode, receivedAt: number): InboundResult {
  const to = field(xml, 'ToUserName')?.trim();
  const from = field(xml, 'FromUserName')?.trim();
  const createTime = field(xml, 'CreateTime')?.trim();
  const msgType = field(xml, 'MsgType')?.trim();
  if (!to || !ACCOUNT_ID.test(to)) return { ok: false, reason: 'ToUserName is missing or not an account id' };
  if (!from || !ACCOUNT_ID.test(from)) return { ok: false, reason: 'FromUserName is missing or not an openid' };
  if (!createTime || !/^\d{1,12}$/.test(createTime)) return { ok: false, reason: 'CreateTime is missing or not a number' };
  if (!msgType || !/^\w{1,32}$/.test(msgType)) return { ok: false, reason: 'MsgType is missing' };

  const msgId = field(xml, 'MsgId')?.trim();
  const base = {
    channel: 'wechat' as const,
    channelMessageId: msgId && /^\d{1,24}$/.test(msgId) ? msgId : `${from}:${createTime}:${msgType}`,
    threadKey: `${to}:${from}`,
    sender: { externalId: from },
    receivedAt,
    raw: xml,
    public: false,
  };

  let message: InboundMessageInput;
  if (msgType === 'text') {
    const text = (field(xml, 'Content') ?? '').slice(0, MAX_TEXT);
    // Only blanks (NUL is dropped when stored) is stored and acknowledged as an event:
    // refusing it would make WeChat retry it thrice.
    const visible = text.includes('\u0000') ? text.replace(/\u0000/g, '') : text;
    message = visible.trim().length > 0
      ? { ...base, kind: 'text', text }
      : { ...base, kind: 'event', event: 'unknown:text', text: '' };
  } else if (msgType === 'event') {
    const name = field(xml, 'Event')?.trim() ?? '';
    const event = KNOWN_EVENTS.has(name) ? name : `unknown:event:${name}`.slice(0, 64);
    message = { ...base, channelMessageId: `${from}:${createTime}:${name || 'event'}`, kind: 'event', event, key: eventKey(name, xml), text: '' };
  } else {
    const parsed = media(xml, msgType);
    message = parsed
      ? { ...base, kind: 'media', text: parsed.text.slice(0, MAX_TEXT), attachments: [parsed.attachment] }
      // Stored and acknowledged, so WeChat does not retry and an agent can still see it.
      : { ...base, kind: 'event', event: `unknown:${msgType}`, text: '' };
  }
  if (message.channelMessageId.length > MAX_MESSAGE_ID) return { ok: false, reason: 'Event is too long' };
  if (message.kind === 'media' && (message.attachments[0]?.ref?.length ?? 0) > MAX_REF) return { ok: false, reason: `a media reference is longer than ${MAX_REF} characters` };
  return { ok: true, message };
}

/** WeChat's rule for which customer actions open a window for customer-service messages. */
export function quotaGrantOf(message: InboundMessageInput): 'message' | 'action' | null {
  // Anything the customer sent counts as a message, including types we do not understand.
  if (message.kind !== 'event' || (message.event.startsWith('unknown:') && !message.event.startsWith('unknown:event:'))) return 'message';
  // A follow, a QR scan and these menu types allow 3 messages within a minute.
  if (['subscribe', 'SCAN', 'CLICK', 'scancode_push', 'scancode_waitmsg'].includes(message.event)) return 'action';
  return null;
}
