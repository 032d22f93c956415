/**
 * The kf API of one WeCom corp (token handling and error classes: ../wechat/api.ts):
 *   GET  /cgi-bin/gettoken?corpid&corpsecret
 *   POST /cgi-bin/kf/sync_msg              {cursor, token, limit, open_kfid} -> {next_cursor, has_more, msg_list}
 *   POST /cgi-bin/kf/send_msg              {touser, open_kfid, msgtype:"text", text:{content}}
 *   POST /cgi-bin/kf/service_state/trans   {open_kfid, external_userid, service_state, servicer_userid?}
 */
import type { SendResult } from '../types.js';
import { TokenApi, type ApiResult } from '../wechat/api.js';

export interface KfMessage {
  msgid: string;
  open_kfid: string;
  external_userid?: string;
  send_time: number;
  /** 3 customer, 4 system event, 5 an agent (接待人员) in the WeCom app. */
  origin: number;
  servicer_userid?: string;
  msgtype: string;
  [payload: string]: unknown;
}

export type SyncPage = { ok: true; messages: KfMessage[]; nextCursor: string; hasMore: boolean } | Extract<ApiResult, { ok: false }>;

const EXPLAIN: Record<number, string> = {
  95018: 'the session is not in a state in which the API may send (a person holds it, or it ended)',
  95007: 'the callback token for sync_msg is invalid or expired (valid 10 minutes)',
  [-1]: 'system error',
};

export class WecomApiClient {
  private readonly api: TokenApi;

  constructor(options: { apiBase: string; corpId: string; secret: string; fetch?: typeof fetch; now?: () => number; timeoutMs?: number }) {
    const query = new URLSearchParams({ corpid: options.corpId, corpsecret: options.secret });
    this.api = new TokenApi({ ...options, tokenPath: `/cgi-bin/gettoken?${query}`, explain: EXPLAIN });
  }

  async syncMsg(input: { cursor?: string; token?: string; openKfid: string; limit?: number }): Promise<SyncPage> {
    const body = { cursor: input.cursor ?? '', token: input.token ?? '', limit: input.limit ?? 1000, open_kfid: input.openKfid };
    const result = await this.api.request('POST', '/cgi-bin/kf/sync_msg', body);
    if (!result.ok) return { ...result, error: `wecom ${result.error}` };
    const list = Array.isArray(result.body.msg_list) ? (result.body.msg_list as KfMessage[]) : [];
    return { ok: true, messages: list, nextCursor: String(result.body.next_cursor ?? input.cursor ?? ''), hasMore: result.body.has_more === 1 || result.body.has_more === true };
  }

  async sendText(openKfid: string, externalUserId: string, text: string): Promise<SendResult & { errcode?: number }> {
    const result = await this.api.request('POST', '/cgi-bin/kf/send_msg', { touser: externalUserId, open_kfid: openKfid, msgtype: 'text', text: { content: text } });
    if (!result.ok) return { ...result, error: `wecom ${result.error}` };
    return { ok: true, channelMessageId: typeof result.body.msgid === 'string' ? result.body.msgid : undefined };
  }

  async transServiceState(openKfid: string, externalUserId: string, state: number, servicerUserId?: string): Promise<ApiResult> {
    const body = { open_kfid: openKfid, external_userid: externalUserId, service_state: state, ...(servicerUserId ? { servicer_userid: servicerUserId } : {}) };
    return this.api.request('POST', '/cgi-bin/kf/service_state/trans', body);
  }
}
