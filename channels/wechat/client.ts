/**
 * The customer-service message API (客服消息) of one official account:
 *   GET  /cgi-bin/token?grant_type=client_credential&appid&secret   -> {access_token, expires_in}
 *   POST /cgi-bin/message/custom/send?access_token=...               {"touser","msgtype":"text","text":{"content"}}
 * Token handling and error classification live in api.ts (shared with WeCom).
 */
import type { SendResult } from '../types.js';
import { TokenApi } from './api.js';

export interface WechatApiOptions {
  apiBase: string;
  appId: string;
  appSecret: string;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}

/** What the errcodes an agent is most likely to meet mean. */
const EXPLAIN: Record<number, string> = {
  45015: 'outside the 48-hour window after the customer\'s last message (or the customer unfollowed)',
  45047: 'the 5-message quota since the customer\'s last message is used up',
  43004: 'the customer does not follow the account',
  45002: 'the message is too long',
  48001: 'this account may not use the customer-service API',
  40164: 'this server\'s IP is not in the account\'s IP whitelist',
  [-1]: 'system error',
};

export class WechatApiClient {
  private readonly api: TokenApi;

  constructor(options: WechatApiOptions) {
    const query = new URLSearchParams({ grant_type: 'client_credential', appid: options.appId, secret: options.appSecret });
    this.api = new TokenApi({ ...options, tokenPath: `/cgi-bin/token?${query}`, explain: EXPLAIN });
  }

  /** Send a text message to `openid`. `errcode` tells the quota tracker what WeChat said. */
  async sendText(openid: string, text: string): Promise<SendResult & { errcode?: number }> {
    const result = await this.api.request('POST', '/cgi-bin/message/custom/send', { touser: openid, msgtype: 'text', text: { content: text } });
    if (result.ok) return { ok: true };
    return { ...result, error: `wechat ${result.error}` };
  }
}
