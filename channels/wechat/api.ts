/**
 * The part WeChat's and WeCom's JSON APIs share: an access_token in the query (cached,
 * refreshed early, refreshed once and the call retried when WeChat says it is stale),
 * `{errcode, errmsg}` answers, and failures as values: what a retry can fix is retryable,
 * the rest is recorded for an agent to see. Used by client.ts and channels/wecom/client.ts.
 */

export interface ApiAnswer {
  errcode?: number;
  errmsg?: string;
  [field: string]: unknown;
}

export type ApiResult = { ok: true; body: ApiAnswer } | { ok: false; retryable: boolean; error: string; errcode?: number };

export interface TokenApiOptions {
  apiBase: string;
  /** Path and query that return `{access_token, expires_in}` (credentials in the query: WeChat's design). */
  tokenPath: string;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
  /** Plain-language explanations of errcodes shown to agents. */
  explain?: Readonly<Record<number, string>>;
}

/** The token was revoked, expired, or replaced by another process fetching a new one. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);
/**
 * Worth retrying later: system busy (-1) and rate limits. Any other errcode (outside the
 * window, quota used, not following, bad id, too long, API not granted, IP not
 * whitelisted...) will not get better by itself.
 */
const RETRYABLE_ERRORS = new Set([-1, 45009, 45011, 45033]);
/** Refresh this long before the stated expiry (WeChat keeps the old token valid 5 minutes after a new one). */
const REFRESH_EARLY_MS = 5 * 60_000;

export class TokenApi {
  private token: { value: string; expiresAt: number } | undefined;
  private refreshing: Promise<ApiResult> | undefined;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: TokenApiOptions) {
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** Call `path` with the access_token; errcode 0 is success, anything else a failure value. */
  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResult> {
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.accessToken();
      if (!token.ok) return token;
      const joiner = path.includes('?') ? '&' : '?';
      const answer = await this.call(method, `${path}${joiner}access_token=${encodeURIComponent(token.value)}`, body);
      if (!answer.ok) return answer;
      const errcode = answer.body.errcode ?? 0;
      if (errcode === 0) return answer;
      if (TOKEN_ERRORS.has(errcode) && attempt === 0) {
        // Only drop the token that failed: concurrent calls that hit the same error share
        // one refresh instead of each fetching a token (each fetch revokes the last one).
        if (this.token?.value === token.value) this.token = undefined;
        continue;
      }
      return { ok: false, retryable: TOKEN_ERRORS.has(errcode) || RETRYABLE_ERRORS.has(errcode), error: this.describe(errcode, answer.body.errmsg), errcode };
    }
  }

  /** A cached token, refreshed early; one refresh at a time however many calls wait for it. */
  private async accessToken(): Promise<{ ok: true; value: string } | { ok: false; retryable: boolean; error: string }> {
    const cached = this.token;
    if (cached && this.now() < cached.expiresAt - REFRESH_EARLY_MS) return { ok: true, value: cached.value };
    this.refreshing ??= this.fetchToken().finally(() => {
      this.refreshing = undefined;
    });
    const answer = await this.refreshing;
    if (!answer.ok || !this.token) return answer.ok ? { ok: false, retryable: true, error: 'access_token: no token' } : answer;
    return { ok: true, value: this.token.value };
  }

  private async fetchToken(): Promise<ApiResult> {
    const answer = await this.call('GET', this.options.tokenPath);
    if (!answer.ok) return answer;
    const { access_token: value, expires_in: expiresIn, errcode, errmsg } = answer.body;
    if (typeof value !== 'string' || !value) {
      // A wrong secret or id, or this server's IP missing from the console's whitelist.
      const code = errcode ?? 0;
      return { ok: false, retryable: RETRYABLE_ERRORS.has(code), error: `access_token: ${this.describe(code, errmsg)}`, errcode: code };
    }
    this.token = { value, expiresAt: this.now() + (typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 7200) * 1000 };
    return answer;
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResult> {
    // Secrets and tokens travel in the query: the URL is never logged, only its path.
    const route = path.split('?')[0];
    let response: Response;
    try {
      response = await this.fetch(`${this.options.apiBase}${path}`, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json; charset=utf-8' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      // A DOMException from AbortSignal.timeout (not always `instanceof Error` across realms).
      const reason = (error as { name?: unknown } | null)?.name === 'TimeoutError' ? 'timed out' : 'network error';
      return { ok: false, retryable: true, error: `${route}: ${reason}` };
    }
    if (response.status >= 500 || response.status === 429) return { ok: false, retryable: true, error: `${route}: HTTP ${response.status}` };
    if (!response.ok) return { ok: false, retryable: false, error: `${route}: HTTP ${response.status}` };
    try {
      return { ok: true, body: (await response.json()) as ApiAnswer };
    } catch {
      return { ok: false, retryable: true, error: `${route}: the answer is not JSON` };
    }
  }

  private describe(errcode: number, errmsg: string | undefined): string {
    // errmsg carries a request id (rid/hint) useful to WeChat support; no personal data.
    const known = this.options.explain?.[errcode];
    return `errcode ${errcode}: ${known ?? errmsg ?? 'unknown error'}${known && errmsg ? ` (${errmsg})` : ''}`;
  }
}
