/**
 * A kf message from sync_msg in the message contract. Pure: tested on recorded pages.
 *
 * Only the customer's messages (origin 3) and the system events about a customer (origin 4)
 * come in. Origin 5 is an agent writing from the WeCom app: not a customer message (and the
 * API never returns what we sent ourselves, so the bot cannot hear itself).
 * Thread: `open_kfid:external_userid`; idempotency: msgid.
 */
import { InboundMessage, type Attachment } from '../../src/contract.js';
import type { KfMessage } from './client.js';

export type KfInbound = { ok: true; message: InboundMessage } | { ok: false; skip: true; reason: string } | { ok: false; skip: false; reason: string };

const ID = /^[\w-]{1,128}$/;
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const obj = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? value as Record<string, unknown> : {});
const compact = (meta: Record<string, unknown>) => Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined));

function media(m: KfMessage): { attachment: Attachment; text: string } | null {
  const p = obj(m[m.msgtype]);
  switch (m.msgtype) {
    case 'image':
    case 'voice':
    case 'video':
    case 'file':
      return { attachment: { kind: m.msgtype, ref: str(p.media_id) }, text: '' };
    case 'location':
      return {
        attachment: { kind: 'location', meta: compact({ latitude: p.latitude, longitude: p.longitude, name: str(p.name), address: str(p.address) }) },
        text: str(p.name) ?? str(p.address) ?? '',
      };
    case 'link':
      return { attachment: { kind: 'link', ref: str(p.url), name: str(p.title)?.slice(0, 512), meta: compact({ description: str(p.desc), picUrl: str(p.pic_url) }) }, text: str(p.title) ?? '' };
    default:
      return null;
  }
}

export function kfInbound(m: KfMessage, receivedAt: number): KfInbound {
  if (m.origin === 5) return { ok: false, skip: true, reason: 'an agent\'s message from the WeCom app' };
  if (m.origin !== 3 && m.origin !== 4) return { ok: false, skip: true, reason: `origin ${String(m.origin)}` };
  const event = m.msgtype === 'event' ? obj(m.event) : undefined;
  const customer = str(m.external_userid) ?? str(event?.external_userid);
  const kfid = str(m.open_kfid) ?? str(event?.open_kfid);
  // Events about the account (an agent going offline...) concern no customer thread.
  if (!customer) return { ok: false, skip: true, reason: 'no customer (external_userid)' };
  if (!kfid || !ID.test(kfid) || !ID.test(customer) || typeof m.msgid !== 'string' || !m.msgid) {
    return { ok: false, skip: false, reason: 'msgid, open_kfid or external_userid missing or malformed' };
  }
  const base = {
    channel: 'wecom' as const, channelMessageId: m.msgid.slice(0, 256), threadKey: `${kfid}:${customer}`,
    sender: { externalId: customer }, receivedAt, raw: m, public: false,
  };
  let candidate: unknown;
  if (event) {
    const type = str(event.event_type) ?? 'unknown';
    // enter_session: the scene the customer came from; session_status_change: change_type.
    const key = str(event.scene_param) ?? str(event.scene) ?? (event.change_type !== undefined ? String(event.change_type) : undefined);
    candidate = { ...base, kind: 'event', event: type.slice(0, 64), key: key?.slice(0, 512), text: '' };
  } else if (m.msgtype === 'text') {
    const content = str(obj(m.text).content);
    candidate = content ? { ...base, kind: 'text', text: content.slice(0, 20000) } : { ...base, kind: 'event', event: 'unknown:text', text: '' };
  } else {
    const parsed = media(m);
    candidate = parsed
      ? { ...base, kind: 'media', text: parsed.text.slice(0, 20000), attachments: [parsed.attachment] }
      : { ...base, kind: 'event', event: `unknown:${m.msgtype}`.slice(0, 64), text: '' };
  }
  const checked = InboundMessage.safeParse(candidate);
  if (!checked.success) return { ok: false, skip: false, reason: `not a valid message: ${checked.error.issues[0]?.message}` };
  return { ok: true, message: checked.data };
}
