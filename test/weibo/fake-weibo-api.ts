/**
 * A local server that speaks the Weibo API calls the channel uses (channels.md), on
 * 127.0.0.1 and a random port (WEIBO_API_BASE and WEIBO_DM_API_BASE point at it, or at two of
 * them: `serves: 'public'` answers only the public API, `serves: 'dm'` only the fan-service
 * one, each 404 for the other's paths, like two hosts):
 *   GET  /2/account/get_uid.json                       -> {uid}
 *   GET  /2/statuses/mentions.json?since_id&count&page  -> {statuses, total_number}
 *   GET  /2/comments/mentions.json?since_id&count&page  -> {comments, total_number}
 *   POST /2/comments/create.json   id, comment          -> the comment (140 characters at most)
 *   POST /2/comments/reply.json    cid, id, comment     -> the comment
 *   POST /2/messages/reply.json    receiver_id, type, data -> {result: true}
 * Like Weibo, the token is checked (Authorization: OAuth2 ...), lists are newest first, and
 * rate limits are HTTP 403 with error_code 10023. `ignoreSinceId` returns every post again
 * whatever the cursor (to prove the channel does not rely on the server to filter).
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { serveOnLoopback } from '../support/net.js';

export interface ApiCall {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
  at: number;
}

export interface FakeWeiboApi {
  url: string;
  uid: string;
  token: string;
  statuses: unknown[];
  comments: unknown[];
  /** Answer every mentions call with the full list, since_id or not. */
  ignoreSinceId: boolean;
  calls: ApiCall[];
  /** Comments posted (create and reply), in order. */
  posted: Array<{ kind: 'create' | 'reply'; id: string; cid?: string; comment: string }>;
  privateReplies: Array<{ receiverId: string; text: string }>;
  /** The next N mentions calls answer 403 / error_code 10023. */
  rateLimitNext(n: number): void;
  close(): Promise<void>;
}

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
const DAYS = 'Sun Mon Tue Wed Thu Fri Sat'.split(' ');
/** Weibo's `created_at` in +0800. */
export function weiboTime(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0800 ${d.getUTCFullYear()}`;
}

let nextId = 4_990_000_000_000_000n;
export const newWeiboId = (): string => String((nextId += 7n));

export function statusOf(author: { uid: string; name: string }, text: string, id = newWeiboId()) {
  return { created_at: weiboTime(Date.now()), id: Number(id), idstr: id, mid: id, text, user: { id: Number(author.uid), idstr: author.uid, screen_name: author.name } };
}

export function commentOf(author: { uid: string; name: string }, text: string, status: { idstr: string; user: { idstr: string } }, id = newWeiboId()) {
  return { created_at: weiboTime(Date.now()), id: Number(id), idstr: id, mid: id, text, user: { id: Number(author.uid), idstr: author.uid, screen_name: author.name }, status };
}

const readBody = (request: IncomingMessage) => new Promise<string>((resolve, reject) => {
  const chunks: Buffer[] = [];
  request.on('data', (c: Buffer) => chunks.push(c));
  request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  request.on('error', reject);
});

const DM_PATHS = new Set(['/2/messages/reply.json']);

export async function startFakeWeiboApi(options: { uid?: string; token?: string; serves?: 'all' | 'public' | 'dm' } = {}): Promise<FakeWeiboApi> {
  const serves = options.serves ?? 'all';
  let limited = 0;
  const api: FakeWeiboApi = {
    url: '', uid: options.uid ?? '1902538057', token: options.token ?? 'test-access-token-123',
    statuses: [], comments: [], ignoreSinceId: false, calls: [], posted: [], privateReplies: [],
    rateLimitNext: (n) => void (limited += n),
    close: async () => undefined,
  };
  const json = (response: ServerResponse, status: number, value: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
    response.end(JSON.stringify(value));
  };
  const error = (response: ServerResponse, status: number, code: number, message: string, path: string) =>
    json(response, status, { error: message, error_code: code, request: path });

  const listening = await serveOnLoopback((request, response) => {
    return (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = await readBody(request);
      const form = Object.fromEntries(new URLSearchParams(body));
      const call: ApiCall = { method: request.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), form, at: Date.now() };
      api.calls.push(call);
      if (request.headers.authorization !== `OAuth2 ${api.token}`) return error(response, 401, 21332, 'invalid_access_token', url.pathname);
      if (serves !== 'all' && DM_PATHS.has(url.pathname) !== (serves === 'dm')) return error(response, 404, 10014, 'Request api not found!', url.pathname);
      const mentions = /^\/2\/(statuses|comments)\/mentions\.json$/.exec(url.pathname);
      if (request.method === 'GET' && url.pathname === '/2/account/get_uid.json') return json(response, 200, { uid: Number(api.uid) });
      if (request.method === 'GET' && mentions) {
        if (limited > 0) {
          limited -= 1;
          return error(response, 403, 10023, 'User requests out of rate limit!', url.pathname);
        }
        const source = mentions[1] as 'statuses' | 'comments';
        const since = call.query.since_id;
        const count = Number(call.query.count ?? 20);
        const page = Number(call.query.page ?? 1);
        const all = (api[source] as Array<{ idstr: string }>)
          .filter((p) => api.ignoreSinceId || !since || BigInt(p.idstr) > BigInt(since))
          .sort((a, b) => (BigInt(b.idstr) > BigInt(a.idstr) ? 1 : -1));
        return json(response, 200, { [source]: all.slice((page - 1) * count, page * count), total_number: all.length, previous_cursor: 0, next_cursor: 0 });
      }
      if (request.method === 'POST' && (url.pathname === '/2/comments/create.json' || url.pathname === '/2/comments/reply.json')) {
        const comment = form.comment ?? '';
        if (!comment || Array.from(comment).length > 140) return error(response, 400, 20012, 'Text too long, please input text less than 140 characters!', url.pathname);
        if (!form.id || (url.pathname.endsWith('reply.json') && !form.cid)) return error(response, 400, 10016, 'miss required parameter', url.pathname);
        const id = newWeiboId();
        api.posted.push({ kind: url.pathname.endsWith('reply.json') ? 'reply' : 'create', id: form.id, ...(form.cid ? { cid: form.cid } : {}), comment });
        return json(response, 200, { created_at: weiboTime(Date.now()), id: Number(id), idstr: id, text: comment, user: { idstr: api.uid } });
      }
      if (request.method === 'POST' && url.pathname === '/2/messages/reply.json') {
        const data = JSON.parse(form.data ?? '{}') as { text?: string };
        if (form.type !== 'text' || !form.receiver_id || !data.text) return error(response, 400, 10016, 'miss required parameter', url.pathname);
        api.privateReplies.push({ receiverId: form.receiver_id, text: data.text });
        return json(response, 200, { result: true, sender_id: Number(api.uid), receiver_id: Number(form.receiver_id) });
      }
      return error(response, 404, 10014, 'Request api not found!', url.pathname);
    })();
  });
  api.url = listening.url;
  api.close = listening.close;
  return api;
}
