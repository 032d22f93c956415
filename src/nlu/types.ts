/** The label scheme of ../shared/eval/LABELS.md, as values (for loops and validation) and types. */
export const INTENTS = [
  'greeting', 'product_inquiry', 'recommendation', 'objection', 'purchase', 'order_confirm',
  'shipping', 'after_sales', 'complaint', 'human', 'farewell', 'other',
] as const;
export type Intent = (typeof INTENTS)[number];

export const SEVERITIES = ['none', 'general', 'serious', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = ['product', 'service', 'price', 'integrity'] as const;
export type Category = (typeof CATEGORIES)[number];

export const FORMS = ['passive', 'publicity', 'venting', 'extreme'] as const;
export type Form = (typeof FORMS)[number];

export const NATURES = ['suggestion', 'criticism', 'accusation'] as const;
export type Nature = (typeof NATURES)[number];

export type Language = 'zh' | 'en';

/** Where a message came from and how often the customer already raised the same problem. */
export interface MessageContext {
  channel?: string;
  /**
   * Whether others can read the message (a Weibo post). When absent, the channel decides
   * (Weibo counts as public); a Weibo private message passes `false`.
   */
  public?: boolean;
  /** Earlier contacts about the same problem (0 = first time). One or more makes a complaint at least serious. */
  repeatContact?: number;
}

export const isIntent = (v: unknown): v is Intent => typeof v === 'string' && (INTENTS as readonly string[]).includes(v);
export const isCategory = (v: unknown): v is Category => typeof v === 'string' && (CATEGORIES as readonly string[]).includes(v);
