/**
 * A Wechaty message in the message contract. `factsOf` reads what we need from the Wechaty
 * message (the only part that talks to the puppet); `wechatyInbound` decides, purely:
 *
 * - the bot's own messages are dropped (it hears everything it says: no talking to itself);
 * - messages dated before the bot started are dropped (puppets replay recent history);
 * - in a room, only messages that mention the bot are answered, the mention taken out;
 * - thread: one conversation per customer and place: `dm:<contact>` for a private chat,
 *   `room:<room>/<contact>` for one member in one room (each member has their own dialog,
 *   hand-over and case; replies in the room mention them);
 * - identity: the contact id; idempotency: the message id.
 */
import { InboundMessage, type Attachment } from '../../src/contract.js';
import { REPLAY_ALLOWANCE_MS } from './definition.js';
import type { FileBoxLike } from './media.js';

/** The part of Wechaty's Message that is used (structural: wechaty is loaded only when enabled). */
export interface WechatyMessageLike {
  id: string;
  self(): boolean;
  type(): number;
  text(): string;
  date(): Date;
  talker(): { id: string; name(): string };
  room(): undefined | { id: string };
  mentionSelf(): Promise<boolean>;
  mentionText(): Promise<string>;
  toUrlLink(): Promise<{ url(): string; title(): string; description(): string | undefined }>;
  toLocation(): Promise<{ latitude(): number; longitude(): number; name(): string; address(): string }>;
  /** The file of an image, voice, video or attachment message (media.ts reads it). */
  toFileBox(): Promise<FileBoxLike>;
}

/** What a message says, as plain data: also what is kept as the message's `raw`. */
export interface WechatyFacts {
  id: string;
  self: boolean;
  /** Wechaty's message type by name (Text, Image, Audio, Video, Attachment, Url, Location, Emoticon...). */
  type: string;
  text: string;
  at: number;
  talker: { id: string; name?: string };
  room?: { id: string; mentionsBot: boolean; textWithoutMentions: string };
  link?: { url: string; title?: string; description?: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
}

export type WechatyInbound = { ok: true; message: InboundMessage } | { ok: false; reason: string };

const MEDIA: Record<string, Attachment['kind']> = { Image: 'image', Audio: 'voice', Video: 'video', Attachment: 'file' };
/** Attachment kinds whose bytes the puppet holds (`toFileBox`); links and locations have none. */
export const FILE_KINDS: ReadonlySet<Attachment['kind']> = new Set(Object.values(MEDIA));

const nonEmpty = (value: string | undefined): string | undefined => (value ? value : undefined);

/** A puppet read that may fail: undefined then. */
export async function optional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

/** Reads a Wechaty message. `typeName` turns Wechaty's numeric type into its name. */
export async function factsOf(message: WechatyMessageLike, typeName: (type: number) => string): Promise<WechatyFacts> {
  const talker = message.talker();
  const room = message.room();
  const type = typeName(message.type());
  const facts: WechatyFacts = {
    id: message.id, self: message.self(), type, text: message.text() ?? '', at: message.date().getTime(),
    talker: { id: talker.id, name: nonEmpty(talker.name()) },
  };
  // Nothing more is asked of the puppet for messages that will be dropped.
  if (facts.self) return facts;
  if (room) {
    const mentionsBot = await message.mentionSelf();
    facts.room = { id: room.id, mentionsBot, textWithoutMentions: mentionsBot ? await message.mentionText() : facts.text };
  } else if (type === 'Url') {
    const link = await optional(() => message.toUrlLink());
    if (link) facts.link = { url: link.url(), title: nonEmpty(link.title()), description: nonEmpty(link.description()) };
  } else if (type === 'Location') {
    const place = await optional(() => message.toLocation());
    if (place) facts.location = { latitude: place.latitude(), longitude: place.longitude(), name: nonEmpty(place.name()), address: nonEmpty(place.address()) };
  }
  return facts;
}

export function threadKeyFor(contactId: string, roomId?: string): string {
  return roomId ? `room:${roomId}/${contactId}` : `dm:${contactId}`;
}

/** Where a conversation's replies go; null for a thread key this channel did not make. */
export function targetOf(threadKey: string): { contactId: string; roomId?: string } | null {
  if (threadKey.startsWith('dm:') && threadKey.length > 3) return { contactId: threadKey.slice(3) };
  const match = /^room:([^/]+)\/(.+)$/s.exec(threadKey);
  return match ? { roomId: match[1]!, contactId: match[2]! } : null;
}

function content(facts: WechatyFacts, text: string): Record<string, unknown> {
  const media = MEDIA[facts.type];
  if (media) return { kind: 'media', text: '', attachments: [{ kind: media, ref: facts.id }] };
  if (facts.type === 'Url' && facts.link) {
    return { kind: 'media', text: facts.link.title ?? '', attachments: [{ kind: 'link', ref: facts.link.url, name: facts.link.title?.slice(0, 512), meta: { description: facts.link.description } }] };
  }
  if (facts.type === 'Location' && facts.location) {
    return { kind: 'media', text: facts.location.name ?? facts.location.address ?? '', attachments: [{ kind: 'location', meta: facts.location }] };
  }
  if (facts.type === 'Text' && text.trim()) return { kind: 'text', text: text.slice(0, 20000) };
  return { kind: 'event', event: `unknown:${facts.type}`.slice(0, 64), text: '' };
}

/**
 * Something that happened between a contact and the bot account outside a chat (a friend
 * request, a room invitation), as an event in the contact's private thread: stored like a
 * message (agents see it), and the dialog decides whether it says anything (`friend_added`: the
 * greeting). `id` is the idempotency key: the same id is stored and answered once.
 */
export function contactEvent(e: {
  id: string; contact: { id: string; name?: string }; event: string; key?: string; text?: string; raw: unknown; receivedAt: number;
}): WechatyInbound {
  const checked = InboundMessage.safeParse({
    channel: 'wechaty', channelMessageId: e.id.slice(0, 256), threadKey: threadKeyFor(e.contact.id),
    sender: { externalId: e.contact.id, displayName: e.contact.name?.slice(0, 256) || undefined }, receivedAt: e.receivedAt, raw: e.raw, public: false,
    kind: 'event', event: e.event, key: e.key, text: (e.text ?? '').slice(0, 2000),
  });
  return checked.success ? { ok: true, message: checked.data } : { ok: false, reason: `not a valid event: ${checked.error.issues[0]?.message}` };
}

/** The pure decision: a message for the pipeline, or why it is not one. */
export function wechatyInbound(facts: WechatyFacts, startedAt: number, receivedAt: number): WechatyInbound {
  if (facts.self) return { ok: false, reason: 'the bot\'s own message' };
  if (facts.at < startedAt - REPLAY_ALLOWANCE_MS) return { ok: false, reason: 'sent before the bot started (replayed history)' };
  if (facts.room && !facts.room.mentionsBot) return { ok: false, reason: 'a room message that does not mention the bot' };
  if (facts.room && facts.room.id.includes('/')) return { ok: false, reason: 'a room id with a slash' };
  // A bare mention ("@bot") keeps its text, so that it is still answered.
  const text = facts.room ? facts.room.textWithoutMentions.trim() || facts.text : facts.text;
  const candidate = {
    channel: 'wechaty', channelMessageId: facts.id.slice(0, 256), threadKey: threadKeyFor(facts.talker.id, facts.room?.id),
    sender: { externalId: facts.talker.id, displayName: facts.talker.name?.slice(0, 256) }, receivedAt, raw: facts, public: false,
    ...content(facts, text),
  };
  const checked = InboundMessage.safeParse(candidate);
  if (!checked.success) return { ok: false, reason: `not a valid message: ${checked.error.issues[0]?.message}` };
  return { ok: true, message: checked.data };
}
