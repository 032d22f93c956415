/**
 * Every channel the gateway knows, in one static map. A factory returns null when its
 * channel is not configured (no credentials in the environment), and it is then skipped.
 */
import type { Channel } from '../src/contract.js';
import type { ChannelFactory } from './types.js';
import { createEmailChannel } from './email/index.js';
import { createWebchatChannel } from './webchat/index.js';
import { createWechatChannel } from './wechat/index.js';
import { createWechatyChannel } from './wechaty/index.js';
import { createWecomChannel } from './wecom/index.js';
import { createWeiboChannel } from './weibo/index.js';

export const channelFactories = {
  webchat: createWebchatChannel,
  wechat: createWechatChannel,
  wecom: createWecomChannel,
  wechaty: createWechatyChannel,
  weibo: createWeiboChannel,
  email: createEmailChannel,
} satisfies Partial<Record<Channel, ChannelFactory>>;
