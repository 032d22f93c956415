/**
 * A parsed WeChat message (the fields of `<xml>`) in the message contract. Pure: tested on
 * recorded payloads in fixtures/.
 *
 * Identity: the thread is `ToUserName:FromUserName` (the account's original id `gh_...` and
 * the customer's openid, which is per account anyway). Idempotency: MsgId, kept as a string
 * (64-bit); events have no MsgId, so WeChat's own advice is used: sender + CreateTime, plus
 * the event name because one CreateTime second can carry e.g. subscribe and LOCATION.
 */
import { InboundMessage, type Attachment } from '../../src/contract.js';
import { field, type XmlNode } from './xml.js';

export type InboundResult = { ok: true; message: InboundMessage } | { ok: false; reason: string };

/** Events WeChat documents for official accounts; any other becomes `unknown:event:<name>`. */
const KNOWN_EVENTS = new Set([
  'subscribe', 'unsubscribe', 'SCAN', 'LOCATION', 'CLICK', 'VIEW',
  'scancode_push', 'scancode_waitmsg', 'pic_sysphoto', 'pic_photo_or_album', 'pic_weixin', 'location_select', 'view_miniprogram',
]);

// openids and original ids are base64url-like; the colon is our thread-key separator.
const ACCOUNT_ID = /^[\w-]{1,64}$/;
const MAX_TEXT = 20000;

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

  let candidate: unknown;
  if (msgType === 'text') {
    const text = (field(xml, 'Content') ?? '').slice(0, MAX_TEXT);
    // Only blanks is stored and acknowledged as an event: refusing it would make WeChat retry it thrice.
    candidate = text.trim().length > 0
      ? { ...base, kind: 'text', text }
      : { ...base, kind: 'event', event: 'unknown:text', text: '' };
  } else if (msgType === 'event') {
    const name = field(xml, 'Event')?.trim() ?? '';
    const event = KNOWN_EVENTS.has(name) ? name : `unknown:event:${name}`.slice(0, 64);
    candidate = { ...base, channelMessageId: `${from}:${createTime}:${name || 'event'}`, kind: 'event', event, key: eventKey(name, xml), text: '' };
  } else {
    const parsed = media(xml, msgType);
    candidate = parsed
      ? { ...base, kind: 'media', text: parsed.text.slice(0, MAX_TEXT), attachments: [parsed.attachment] }
      // Stored and acknowledged, so WeChat does not retry and an agent can still see it.
      : { ...base, kind: 'event', event: `unknown:${msgType}`, text: '' };
  }
  const checked = InboundMessage.safeParse(candidate);
  if (!checked.success) return { ok: false, reason: `not a valid message: ${checked.error.issues[0]?.path.join('.')} ${checked.error.issues[0]?.message}` };
  return { ok: true, message: checked.data };
}

/** WeChat's rule for which customer actions open a window for customer-service messages. */
export function quotaGrantOf(message: InboundMessage): 'message' | 'action' | null {
  // Anything the customer sent counts as a message, including types we do not understand.
  if (message.kind !== 'event' || (message.event.startsWith('unknown:') && !message.event.startsWith('unknown:event:'))) return 'message';
  // A follow, a QR scan and these menu types allow 3 messages within a minute.
  if (['subscribe', 'SCAN', 'CLICK', 'scancode_push', 'scancode_waitmsg'].includes(message.event)) return 'action';
  return null;
}
