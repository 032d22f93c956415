/**
 * A local server that speaks the two WeChat API calls the official-account channel uses,
 * on 127.0.0.1 and a random port (WECHAT_API_BASE points at it):
 *   GET  /cgi-bin/token?grant_type=client_credential&appid&secret -> {access_token, expires_in}
 *   POST /cgi-bin/message/custom/send?access_token=...            -> {errcode, errmsg}
 * Like WeChat, issuing a token revokes the previous one, and a revoked or unknown token is
 * answered with errcode 40001. Tests script the next answers to custom/send with `queue`.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { serveOnLoopback } from './net.js';

export type SendBehaviour =
  /** Answer HTTP 200 with this errcode (40001 also revokes the current token, as if it expired). */
  | { errcode: number; errmsg?: string }
  /** Answer with this HTTP status and no JSON. */
  | { httpStatus: number }
  /** Answer normally, but only after this delay. */
  | { delayMs: number };

export interface SentMessage {
  touser: string;
  msgtype: string;
  text?: { content: string };
  accessToken: string;
}

export interface FakeWechatApi {
  url: string;
  /** Messages WeChat accepted (errcode 0). */
  delivered: SentMessage[];
  /** Every custom/send call, accepted or not. */
  attempts: SentMessage[];
  tokensIssued: number;
  /** Script the next custom/send answers, in order; afterwards calls succeed. */
  queue(...behaviours: SendBehaviour[]): void;
  /** Delay every token answer (slowness at the token endpoint). */
  tokenDelayMs: number;
  close(): Promise<void>;
}

const ERRMSG: Record<number, string> = {
  40001: 'invalid credential, access_token is invalid or not latest rid: 6627e1b1-0a1b2c3d-4e5f6a7b',
  45015: 'response out of time limit or subscription is canceled rid: 6627e1b1-11111111-22222222',
  45047: 'out of response count limit rid: 6627e1b1-33333333-44444444',
  [-1]: 'system error rid: 6627e1b1-55555555-66666666',
};

export async function startFakeWechatApi(credentials: { appId: string; appSecret: string }): Promise<FakeWechatApi> {
  const script: SendBehaviour[] = [];
  let current: string | undefined;

  const readBody = (request: IncomingMessage) => new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
  const json = (response: ServerResponse, value: unknown) => {
    response.writeHead(200, { 'content-type': 'application/json; encoding=utf-8' });
    response.end(JSON.stringify(value));
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const api: FakeWechatApi = {
    url: '',
    delivered: [],
    attempts: [],
    tokensIssued: 0,
    tokenDelayMs: 0,
    queue: (...behaviours) => void script.push(...behaviours),
    close: async () => undefined,
  };

  const listening = await serveOnLoopback((request, response) => {
    return (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (request.method === 'GET' && url.pathname === '/cgi-bin/token') {
        if (api.tokenDelayMs > 0) await sleep(api.tokenDelayMs);
        const q = url.searchParams;
        if (q.get('grant_type') !== 'client_credential' || q.get('appid') !== credentials.appId) return json(response, { errcode: 40013, errmsg: 'invalid appid' });
        if (q.get('secret') !== credentials.appSecret) return json(response, { errcode: 40001, errmsg: ERRMSG[40001] });
        api.tokensIssued += 1;
        current = `ACCESS_TOKEN_${api.tokensIssued}`;
        return json(response, { access_token: current, expires_in: 7200 });
      }
      if (request.method === 'POST' && url.pathname === '/cgi-bin/message/custom/send') {
        const body = JSON.parse(await readBody(request)) as Omit<SentMessage, 'accessToken'>;
        const message: SentMessage = { ...body, accessToken: url.searchParams.get('access_token') ?? '' };
        api.attempts.push(message);
        if (!current || message.accessToken !== current) return json(response, { errcode: 40001, errmsg: ERRMSG[40001] });
        const next = script.shift();
        if (next && 'delayMs' in next) await sleep(next.delayMs);
        if (next && 'httpStatus' in next) {
          response.writeHead(next.httpStatus, { 'content-type': 'text/html' });
          return response.end('<html>bad gateway</html>');
        }
        if (next && 'errcode' in next) {
          if (next.errcode === 40001) current = undefined;
          return json(response, { errcode: next.errcode, errmsg: next.errmsg ?? ERRMSG[next.errcode] ?? 'error' });
        }
        api.delivered.push(message);
        return json(response, { errcode: 0, errmsg: 'ok' });
      }
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errcode: 40066, errmsg: 'invalid url' }));
    })();
  });
  api.url = listening.url;
  api.close = listening.close;
  return api;
}
