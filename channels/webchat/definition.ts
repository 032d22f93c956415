import type { ChannelCapabilities } from '../types.js';

export const webchatCapabilities: ChannelCapabilities = {
  maxTextLength: 4000,
  choices: true,
  passiveReplyWindowMs: 0,
  // The widget reads replies from our database (long-poll or WebSocket): sending is a notification.
  localDelivery: true,
};

/** Longest `wait` a long-poll may ask for, in seconds. */
export const MAX_WAIT_SECONDS = 30;
/** Most messages returned by one read; the cursor lets the client fetch the rest. */
export const PAGE_SIZE = 100;
