/**
 * Every Weibo API call the channel makes, behind one class, so a correction to Weibo's
 * shapes (documented only by third-party SDKs) touches this file alone.
 * Public API (`apiBase`, api.weibo.com):
 *   GET  /2/account/get_uid.json                         -> {uid}
 *   GET  /2/statuses/mentions.json?since_id&count&page    -> {statuses: [...]}
 *   GET  /2/comments/mentions.json?since_id&count&page    -> {comments: [...]}
 *   POST /2/comments/create.json   id, comment            -> the new comment
 *   POST /2/comments/reply.json    cid, id, comment       -> the new comment
 * Fan-service API (`dmApiBase`, m.api.weibo.com: the SDKs send private messages there, not to
 * the public host):
 *   POST /2/messages/reply.json    receiver_id, type=text, data={"text":...}
 * The token travels in `Authorization: OAuth2 <token>` (Weibo accepts it there as well as in
 * `access_token`), so no URL ever carries it. Failures are values: `rateLimited` tells the
 * poller to back off, `retryable` tells the dispatcher whether to try again.
 */
import type { WeiboSettings } from './definition.js';

export type ApiResult<T> =
  | { ok: true; body: T }
  | { ok: false; retryable: boolean; rateLimited: boolean; error: string; errorCode?: number; httpStatus?: number };

/** Weibo's "too many requests": per IP (10022), per user (10023), per user and API (10024). */
export const RATE_LIMIT_CODES = new Set([10022, 10023, 10024]);
/** Token problems: nothing but a new token helps. */
const TOKEN_CODES = new Set([21314, 21315, 21316, 21317, 21319, 21327, 21332]);
/** Weibo's own trouble: worth another try. */
const SERVER_CODES = new Set([10001, 10009, 10010, 20003]);

const EXPLAIN: Record<number, string> = {
  10022: 'IP requests out of rate limit',
  10023: 'user requests out of rate limit',
  10024: 'user requests for this API out of rate limit',
  20019: 'the same content was posted already',
  21327: 'the access token expired',
  21332: 'the access token is invalid',
};

export type MentionSource = 'statuses' | 'comments';
type Host = 'public' | 'dm';

export interface WeiboApiOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class WeiboApi {
  private readonly fetch: typeof fetch;

  constructor(private readonly settings: Pick<WeiboSettings, 'apiBase' | 'dmApiBase' | 'accessToken' | 'appKey'>, private readonly options: WeiboApiOptions = {}) {
    this.fetch = options.fetch ?? fetch;
  }

  async uid(): Promise<ApiResult<string>> {
    const answer = await this.call('GET', '/2/account/get_uid.json');
    if (!answer.ok) return answer;
    const uid = (answer.body as { uid?: unknown }).uid;
    if ((typeof uid !== 'number' && typeof uid !== 'string') || !/^\d{1,20}$/.test(String(uid))) {
      return { ok: false, retryable: true, rateLimited: false, error: 'get_uid: no uid in the answer' };
    }
    return { ok: true, body: String(uid) };
  }

  /** One page of mentions, newest first, as Weibo sends them (parsed by inbound.ts). */
  async mentions(source: MentionSource, page: { sinceId?: string; count: number; page: number }): Promise<ApiResult<unknown[]>> {
    const query = new URLSearchParams({ count: String(page.count), page: String(page.page) });
    if (page.sinceId) query.set('since_id', page.sinceId);
    const answer = await this.call('GET', `/2/${source}/mentions.json?${query}`);
    if (!answer.ok) return answer;
    const list = (answer.body as Record<string, unknown>)[source];
    if (!Array.isArray(list)) return { ok: false, retryable: true, rateLimited: false, error: `${source}/mentions: no '${source}' list in the answer` };
    return { ok: true, body: list };
  }

  /** Comment on a status (a mention in a post). */
  async comment(statusId: string, text: string): Promise<ApiResult<{ id: string }>> {
    return this.created(await this.call('POST', '/2/comments/create.json', { id: statusId, comment: text }));
  }

  /** Reply to a comment (a mention in a comment) under its status. */
  async replyToComment(commentId: string, statusId: string, text: string): Promise<ApiResult<{ id: string }>> {
    return this.created(await this.call('POST', '/2/comments/reply.json', { cid: commentId, id: statusId, comment: text }));
  }

  /** A private message to a fan (allowed 48 h after their last message, and once after an @-mention), on the fan-service host. */
  async privateReply(receiverId: string, text: string): Promise<ApiResult<unknown>> {
    return this.call('POST', '/2/messages/reply.json', { receiver_id: receiverId, type: 'text', data: JSON.stringify({ text }) }, 'dm');
  }

  private created(answer: ApiResult<unknown>): ApiResult<{ id: string }> {
    if (!answer.ok) return answer;
    const body = answer.body as { idstr?: unknown; id?: unknown };
    return { ok: true, body: { id: String(body.idstr ?? body.id ?? '') } };
  }

  private async call(method: 'GET' | 'POST', path: string, form?: Record<string, string>, host: Host = 'public'): Promise<ApiResult<unknown>> {
    // Paths carry ids and cursors, never secrets; still only the route is ever reported.
    const route = path.split('?')[0]!;
    const body = form ? new URLSearchParams({ ...form, ...(this.settings.appKey ? { source: this.settings.appKey } : {}) }) : undefined;
    let response: Response;
    try {
      response = await this.fetch(`${host === 'dm' ? this.settings.dmApiBase : this.settings.apiBase}${path}`, {
        method,
        headers: { authorization: `OAuth2 ${this.settings.accessToken}`, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const reason = (error as { name?: unknown } | null)?.name === 'TimeoutError' ? 'timed out' : 'network error';
      return { ok: false, retryable: true, rateLimited: false, error: `${route}: ${reason}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(await response.text());
    } catch {
      json = undefined;
    }
    const code = typeof (json as { error_code?: unknown } | undefined)?.error_code === 'number' ? (json as { error_code: number }).error_code : undefined;
    if (response.ok && json !== undefined && code === undefined) return { ok: true, body: json };
    return classify(route, response.status, code, (json as { error?: unknown } | undefined)?.error);
  }
}

/** An error answer as a value: rate limits (codes or HTTP 403/429), token errors, Weibo's own trouble. */
export function classify(route: string, httpStatus: number, errorCode: number | undefined, message: unknown): ApiResult<never> {
  const known = errorCode !== undefined ? EXPLAIN[errorCode] : undefined;
  const said = known ?? (typeof message === 'string' ? message.slice(0, 200) : undefined);
  const text = `${route}: HTTP ${httpStatus}${errorCode !== undefined ? `, error_code ${errorCode}` : ''}${said ? ` (${said})` : ''}`;
  // Weibo answers its rate limits with HTTP 403 and a code; a bare 403/429 is read the same way.
  const rateLimited = (errorCode !== undefined && RATE_LIMIT_CODES.has(errorCode))
    || httpStatus === 429 || (httpStatus === 403 && (errorCode === undefined || !TOKEN_CODES.has(errorCode)) && errorCode !== 20019);
  const retryable = rateLimited || httpStatus >= 500 || (errorCode !== undefined && SERVER_CODES.has(errorCode)) || (httpStatus === 200 && errorCode === undefined);
  return { ok: false, retryable, rateLimited, error: text, ...(errorCode !== undefined ? { errorCode } : {}), httpStatus };
}
