/**
 * Weibo payloads in the message contract. Pure: tested on recorded payloads in fixtures/.
 *
 * Public posts (statuses/mentions, comments/mentions): ids are 64-bit integers, which
 * `JSON.parse` rounds, so only the string forms (`idstr`, `mid`) are read. The idempotency
 * key is `status:<id>` / `comment:<id>`.
 *
 * Thread: one per author, `weibo:<uid>`, for posts and private messages alike. A public
 * complaint is acknowledged in public and continued in private (domain.md §1): with one
 * thread the private conversation is the same conversation, so the dialog's state (the
 * complaint, its grade, a hand-over to a supervisor) carries over, and an agent sees the
 * public post and the private messages together.
 *
 * Private messages (fan-service pushes) have no message id: Weibo's own advice is sender +
 * created_at, plus the type (and event subtype), since one second can carry several.
 */
import { InboundMessage, type Attachment } from '../../src/contract.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface WeiboPost {
  /** `status:<id>` or `comment:<id>`: the channel message id and the posts table key. */
  key: string;
  kind: 'status' | 'comment';
  id: string;
  /** The status the post is (for a status) or sits under (for a comment). */
  statusId: string;
  authorUid: string;
  authorName?: string;
  text: string;
  createdAt: number;
  /** https://weibo.com/<uid>/<mid> of the status (a comment links to its status). */
  link: string;
  raw: unknown;
}

const ID = /^\d{1,20}$/;
const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const MAX_TEXT = 20000;

/** `Mon Jul 16 18:09:20 +0800 2012` (Weibo's format, also in fan-service pushes) -> epoch ms. */
export function parseWeiboTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/.exec(value.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1]!);
  if (month < 0) return undefined;
  const utc = Date.UTC(Number(m[9]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  const offset = (Number(m[7]) * 60 + Number(m[8])) * 60_000 * (m[6] === '-' ? -1 : 1);
  return Number.isFinite(utc) ? utc - offset : undefined;
}

/** A string id, from `idstr` (exact) or a number small enough to be exact. */
function idOf(object: unknown, ...fields: string[]): string | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  for (const field of fields) {
    const value = (object as Record<string, unknown>)[field];
    if (typeof value === 'string' && ID.test(value)) return value;
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  }
  return undefined;
}

const userOf = (object: Record<string, unknown>): { uid?: string; name?: string } => {
  const user = object.user as Record<string, unknown> | undefined;
  const name = typeof user?.screen_name === 'string' ? user.screen_name.slice(0, 256) : undefined;
  return { uid: idOf(user, 'idstr', 'id'), name };
};

/** One entry of statuses/mentions or comments/mentions. */
export function parsePost(kind: 'status' | 'comment', raw: unknown): Parsed<WeiboPost> {
  if (typeof raw !== 'object' || raw === null) return { ok: false, reason: 'not an object' };
  const o = raw as Record<string, unknown>;
  const id = idOf(o, 'idstr', 'mid', 'id');
  if (!id) return { ok: false, reason: 'no idstr' };
  const author = userOf(o);
  if (!author.uid) return { ok: false, reason: 'no user.idstr' };
  const createdAt = parseWeiboTime(o.created_at);
  if (createdAt === undefined) return { ok: false, reason: 'created_at is not a Weibo time' };
  const text = typeof o.text === 'string' ? o.text.replace(/\u0000/g, '').slice(0, MAX_TEXT) : '';
  if (kind === 'status') {
    const mid = idOf(o, 'mid', 'idstr') ?? id;
    return { ok: true, value: { key: `status:${id}`, kind, id, statusId: id, authorUid: author.uid, authorName: author.name, text, createdAt, link: `https://weibo.com/${author.uid}/${mid}`, raw } };
  }
  const status = o.status as Record<string, unknown> | undefined;
  const statusId = idOf(status, 'idstr', 'mid', 'id');
  if (!status || !statusId) return { ok: false, reason: 'a comment without its status' };
  const statusAuthor = userOf(status).uid ?? author.uid;
  const statusMid = idOf(status, 'mid', 'idstr') ?? statusId;
  return {
    ok: true,
    value: { key: `comment:${id}`, kind, id, statusId, authorUid: author.uid, authorName: author.name, text, createdAt, link: `https://weibo.com/${statusAuthor}/${statusMid}`, raw },
  };
}

export const threadKeyOf = (uid: string): string => `weibo:${uid}`;
export const uidOfThread = (threadKey: string): string | undefined => /^weibo:(\d{1,20})$/.exec(threadKey)?.[1];

/** A public post as the pipeline's message (`public: true`); an empty post is kept as an event. */
export function postMessage(post: WeiboPost, receivedAt: number): InboundMessage {
  const base = {
    channel: 'weibo' as const, channelMessageId: post.key, threadKey: threadKeyOf(post.authorUid),
    sender: { externalId: post.authorUid, displayName: post.authorName }, receivedAt, raw: post.raw, public: true,
  };
  return InboundMessage.parse(post.text.trim()
    ? { ...base, kind: 'text', text: post.text }
    : { ...base, kind: 'event', event: 'mention', text: '' });
}

export interface FanPush {
  type: string;
  senderId: string;
  receiverId: string;
  createdAt: number;
  message: InboundMessage;
}

const EVENTS: Record<string, string> = { follow: 'subscribe', scan_follow: 'subscribe', subscribe: 'subscribe', unfollow: 'unsubscribe', unsubscribe: 'unsubscribe', click: 'CLICK' };

const num = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

/** A fan-service push (JSON already parsed) in the message contract. */
export function parseFanPush(body: unknown, receivedAt: number): Parsed<FanPush> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'not a JSON object' };
  const o = body as Record<string, unknown>;
  const type = typeof o.type === 'string' && /^\w{1,32}$/.test(o.type) ? o.type : undefined;
  const senderId = idOf(o, 'sender_id');
  const receiverId = idOf(o, 'receiver_id');
  const created = parseWeiboTime(o.created_at);
  if (!type) return { ok: false, reason: 'type is missing' };
  if (!senderId || !receiverId) return { ok: false, reason: 'sender_id or receiver_id is missing' };
  if (created === undefined) return { ok: false, reason: 'created_at is not a Weibo time' };
  const data = typeof o.data === 'object' && o.data !== null ? o.data as Record<string, unknown> : {};
  const text = typeof o.text === 'string' ? o.text.replace(/\u0000/g, '').slice(0, MAX_TEXT) : '';
  const subtype = typeof data.subtype === 'string' ? data.subtype.slice(0, 32) : '';
  const base = {
    channel: 'weibo' as const,
    channelMessageId: `dm:${senderId}:${Math.floor(created / 1000)}:${type}${subtype ? `:${subtype}` : ''}`,
    threadKey: threadKeyOf(senderId), sender: { externalId: senderId }, receivedAt, raw: body, public: false,
  };
  const media = (attachment: Attachment) => ({ ...base, kind: 'media', text, attachments: [attachment] });
  let candidate: unknown;
  switch (type) {
    case 'text':
      candidate = text.trim() ? { ...base, kind: 'text', text } : { ...base, kind: 'event', event: 'unknown:text', text: '' };
      break;
    case 'position':
      candidate = media({ kind: 'location', meta: { longitude: num(data.longitude), latitude: num(data.latitude) } });
      break;
    case 'voice':
    case 'image':
      // vfid: the sender's copy of the file, tovfid: ours (fetched through the upload API when needed).
      candidate = media({ kind: type, ref: idOf(data, 'tovfid', 'vfid'), meta: { vfid: idOf(data, 'vfid'), tovfid: idOf(data, 'tovfid') } });
      break;
    case 'event': {
      const key = typeof data.key === 'string' ? data.key.slice(0, 512) : undefined;
      candidate = { ...base, kind: 'event', event: EVENTS[subtype] ?? `unknown:event:${subtype}`.slice(0, 64), key, text: '' };
      break;
    }
    case 'mention':
      // Someone @-mentioned the account in public: the poller reads that post itself (and
      // answers it in public), so the push is recorded, not answered.
      candidate = { ...base, kind: 'event', event: 'mention', text: '' };
      break;
    default:
      // Recorded and acknowledged, so Weibo does not retry and an agent can still see it.
      candidate = { ...base, kind: 'event', event: `unknown:${type}`, text };
  }
  const checked = InboundMessage.safeParse(candidate);
  if (!checked.success) return { ok: false, reason: `not a valid message: ${checked.error.issues[0]?.path.join('.')} ${checked.error.issues[0]?.message}` };
  return { ok: true, value: { type, senderId, receiverId, createdAt: created, message: checked.data } };
}
