/**
 * A local server that speaks the WeCom kf API on 127.0.0.1 and a random port:
 * gettoken, kf/sync_msg (cursor = index into `messages`, at most `pageSize` per page),
 * kf/send_msg and kf/service_state/trans. Tests push customer messages and read what was
 * sent, the cursors asked for and the state changes.
 */
import { type IncomingMessage } from 'node:http';
import type { KfMessage } from '../../channels/wecom/client.js';
import { serveOnLoopback } from '../support/net.js';

export interface FakeWecomApi {
  url: string;
  messages: KfMessage[];
  pageSize: number;
  syncCalls: Array<{ cursor: string; token: string; open_kfid: string }>;
  sent: Array<{ touser: string; open_kfid: string; msgtype: string; text?: { content: string } }>;
  transitions: Array<{ open_kfid: string; external_userid: string; service_state: number; servicer_userid?: string }>;
  /** send_msg and trans calls in arrival order: `send:<user>`, `trans:<user>:<state>`. */
  log: string[];
  /** Scripted errcodes for the next sync_msg calls. */
  failSync: number[];
  close(): Promise<void>;
}

export async function startFakeWecomApi(credentials: { corpId: string; secret: string }): Promise<FakeWecomApi> {
  let token: string | undefined;
  let issued = 0;
  const read = (request: IncomingMessage) => new Promise<Record<string, unknown>>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>));
    request.on('error', reject);
  });
  const api: FakeWecomApi = { url: '', messages: [], pageSize: 2, syncCalls: [], sent: [], transitions: [], log: [], failSync: [], close: async () => undefined };

  const listening = await serveOnLoopback((request, response) => {
    const json = (value: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    return (async () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/cgi-bin/gettoken') {
        if (url.searchParams.get('corpid') !== credentials.corpId || url.searchParams.get('corpsecret') !== credentials.secret) return json({ errcode: 40001, errmsg: 'invalid secret' });
        token = `WECOM_TOKEN_${(issued += 1)}`;
        return json({ errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
      }
      if (url.searchParams.get('access_token') !== token) return json({ errcode: 40014, errmsg: 'invalid access_token' });
      const body = await read(request);
      if (url.pathname === '/cgi-bin/kf/sync_msg') {
        api.syncCalls.push({ cursor: String(body.cursor ?? ''), token: String(body.token ?? ''), open_kfid: String(body.open_kfid ?? '') });
        const failure = api.failSync.shift();
        if (failure !== undefined) return json({ errcode: failure, errmsg: 'scripted failure' });
        const start = body.cursor ? Number(body.cursor) : 0;
        const page = api.messages.slice(start, start + Math.min(api.pageSize, Number(body.limit ?? 1000)));
        const next = start + page.length;
        return json({ errcode: 0, errmsg: 'ok', next_cursor: String(next), has_more: next < api.messages.length ? 1 : 0, msg_list: page });
      }
      if (url.pathname === '/cgi-bin/kf/send_msg') {
        api.sent.push(body as FakeWecomApi['sent'][number]);
        api.log.push(`send:${String(body.touser)}`);
        return json({ errcode: 0, errmsg: 'ok', msgid: `sent_${api.sent.length}` });
      }
      if (url.pathname === '/cgi-bin/kf/service_state/trans') {
        api.transitions.push(body as FakeWecomApi['transitions'][number]);
        api.log.push(`trans:${String(body.external_userid)}:${String(body.service_state)}`);
        return json({ errcode: 0, errmsg: 'ok' });
      }
      return json({ errcode: 404, errmsg: 'no such api' });
    })();
  });
  api.url = listening.url;
  api.close = listening.close;
  return api;
}
