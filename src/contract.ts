/**
 * The one message contract and conversation model. Every channel adapter normalises into
 * `InboundMessage`; everything the bot or an agent says leaves as `OutboundMessage`.
 * TypeScript types come from `z.infer`: nothing here is described twice.
 */
import { z } from 'zod';

export const CHANNELS = ['webchat', 'wechat', 'wecom', 'wechaty', 'weibo', 'email'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const AuthorKind = z.enum(['customer', 'bot', 'agent', 'system']);
export type AuthorKind = z.infer<typeof AuthorKind>;

export const ConversationStatus = z.enum(['bot', 'queued', 'human', 'closed']);
export type ConversationStatus = z.infer<typeof ConversationStatus>;

export const Attachment = z.object({
  kind: z.enum(['image', 'voice', 'video', 'file', 'location', 'link']),
  /** Platform reference (WeChat MediaId, IMAP part id...) or a URL; the bytes live elsewhere. */
  ref: z.string().max(2048).optional(),
  name: z.string().max(512).optional(),
  mimeType: z.string().max(255).optional(),
  size: z.number().int().nonnegative().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});
export type Attachment = z.infer<typeof Attachment>;

/** Who wrote, as the channel knows them: becomes an Identity (channel + externalId). */
export const Sender = z.object({
  externalId: z.string().min(1).max(256),
  displayName: z.string().max(256).optional(),
});

/**
 * Customer text as stored: NUL is dropped (PostgreSQL rejects it in text and no platform
 * means anything by it); everything else, emoji and all, is kept as written.
 */
const customerText = (max: number) => z.string().max(max).transform((s) => s.replace(/\u0000/g, ''));

const inboundBase = {
  channel: Channel,
  /** The channel's own id for this message: the idempotency key with `channel`. */
  channelMessageId: z.string().min(1).max(256),
  /** Which thread it belongs to on the channel (openid, session id, mail thread...). */
  threadKey: z.string().min(1).max(512),
  sender: Sender,
  receivedAt: z.number().int(),
  /** The platform payload as received, kept for debugging and re-parsing. */
  raw: z.unknown(),
  /** Public channels (a Weibo post) change how a complaint is graded and answered. */
  public: z.boolean().default(false),
};

/**
 * What a channel hands to the pipeline. `text` covers chat, mail bodies and posts;
 * `media` carries attachments (with an optional caption); `event` is a platform event
 * (subscribe, menu click...) that the dialog may turn into a greeting or an intent.
 */
export const InboundMessage = z.discriminatedUnion('kind', [
  z.object({ ...inboundBase, kind: z.literal('text'), text: customerText(20000).refine((s) => s.trim().length > 0, 'text must not be empty') }),
  z.object({
    ...inboundBase,
    kind: z.literal('media'),
    text: customerText(20000).default(''),
    attachments: z.array(Attachment).min(1).max(50),
  }),
  z.object({
    ...inboundBase,
    kind: z.literal('event'),
    event: z.string().min(1).max(64),
    /** Event detail: a menu key, a QR scene... */
    key: z.string().max(512).optional(),
    text: customerText(2000).default(''),
  }),
]);
export type InboundMessage = z.infer<typeof InboundMessage>;
export type InboundMessageInput = z.input<typeof InboundMessage>;

/** Something to say on a channel; channels degrade what they cannot show (choices -> numbered text). */
export const OutboundMessage = z.object({
  text: z.string().min(1),
  choices: z.array(z.string().min(1).max(64)).max(10).optional(),
  authorKind: AuthorKind,
  authorId: z.string().optional(),
  /** Channel-specific extras (mail subject, in-reply-to...), validated by the channel. */
  meta: z.record(z.string(), z.unknown()).optional(),
});
export type OutboundMessage = z.infer<typeof OutboundMessage>;

export const CustomerTier = z.enum(['standard', 'vip']);
export const ContactPreferences = z.object({
  /** Channels the customer refused: revisits switch to one they accept (domain.md §4). */
  optedOut: z.array(Channel).default([]),
  preferredChannel: Channel.optional(),
  quietHours: z.boolean().default(true),
});

export const Customer = z.object({
  id: z.string(),
  displayName: z.string().nullable(),
  tier: CustomerTier,
  language: z.string().nullable(),
  contactPreferences: ContactPreferences,
  attributes: z.record(z.string(), z.unknown()),
  mergedInto: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Customer = z.infer<typeof Customer>;

export const Identity = z.object({
  id: z.string(),
  customerId: z.string(),
  channel: Channel,
  externalId: z.string(),
  displayName: z.string().nullable(),
  createdAt: z.number(),
});
export type Identity = z.infer<typeof Identity>;

/** Serialisable dialog state; `version` lets a changed flow recognise old state. */
export const DialogState = z.object({
  version: z.number().int(),
  flow: z.string(),
  step: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type DialogState = z.infer<typeof DialogState>;

export const Conversation = z.object({
  id: z.string(),
  customerId: z.string(),
  channel: Channel,
  threadKey: z.string(),
  status: ConversationStatus,
  assigneeId: z.string().nullable(),
  dialog: DialogState.nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  lastMessageAt: z.number(),
});
export type Conversation = z.infer<typeof Conversation>;

export const Message = z.object({
  id: z.string(),
  /** Monotonic per database: the webchat cursor. */
  seq: z.number(),
  conversationId: z.string(),
  channel: Channel,
  direction: z.enum(['in', 'out']),
  /** An `event` (a follow, a menu click, a timer) is stored like a message but is not text anyone wrote. */
  kind: z.enum(['text', 'media', 'event']),
  /** For an event: its name (subscribe, CLICK, idle, no_agent...). */
  event: z.string().nullable(),
  authorKind: AuthorKind,
  authorId: z.string().nullable(),
  text: z.string(),
  attachments: z.array(Attachment),
  channelMessageId: z.string().nullable(),
  raw: z.unknown(),
  createdAt: z.number(),
});
export type Message = z.infer<typeof Message>;

export const Severity = z.enum(['none', 'general', 'serious', 'critical']);
export type Severity = z.infer<typeof Severity>;

/** The ticket (domain.md §4). The handoff issue adds ownership, SLA and its timeline. */
export const Case = z.object({
  id: z.string(),
  number: z.string(),
  customerId: z.string(),
  conversationId: z.string().nullable(),
  status: z.string(),
  severity: Severity,
  category: z.string().nullable(),
  form: z.string().nullable(),
  nature: z.string().nullable(),
  reasons: z.array(z.string()),
  subject: z.string(),
  ownerId: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Case = z.infer<typeof Case>;
