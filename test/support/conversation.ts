/**
 * The conversation test DSL over the real web chat API:
 *   const chat = await openChat(url);
 *   await chat.send('你好').expectReply(/欢迎/);
 * `send` posts like the widget does; `expectReply` long-polls for the next bot/agent/system
 * message after everything seen so far and checks it.
 */
import { http } from './gateway.js';

export interface Reply {
  author: string;
  text: string;
}

export interface Chat {
  sessionId: string;
  token: string;
  send(text: string): { expectReply(match: RegExp | string, timeoutMs?: number): Promise<Reply> };
  nextReply(timeoutMs?: number): Promise<Reply | null>;
  /** Everything the customer can see, in order. */
  transcript(): Promise<Reply[]>;
}

let counter = 0;

export async function openChat(url: string, language?: string): Promise<Chat> {
  const created = await http(`${url}/api/webchat/sessions`, { body: language ? { language } : {} });
  if (created.status !== 201) throw new Error(`session: ${created.status} ${created.text}`);
  const { sessionId, token } = created.json as { sessionId: string; token: string };
  let cursor = '0';

  // Replies read but not yet consumed by an expectation, oldest first.
  const buffered: Reply[] = [];

  async function nextReply(timeoutMs = 5000): Promise<Reply | null> {
    const deadline = Date.now() + timeoutMs;
    while (buffered.length === 0 && Date.now() < deadline) {
      const wait = Math.max(1, Math.min(5, Math.ceil((deadline - Date.now()) / 1000)));
      const page = await http(`${url}/api/webchat/sessions/${sessionId}/messages?after=${cursor}&wait=${wait}`, { token });
      if (page.status !== 200) throw new Error(`poll: ${page.status} ${page.text}`);
      cursor = page.json.cursor;
      for (const m of page.json.messages as Reply[]) if (m.author !== 'customer') buffered.push({ author: m.author, text: m.text });
    }
    return buffered.shift() ?? null;
  }

  return {
    sessionId,
    token,
    nextReply,
    send(text: string) {
      const sent = http(`${url}/api/webchat/sessions/${sessionId}/messages`, { token, body: { text, clientMessageId: `t${++counter}-${Date.now()}` } })
        .then((r) => {
          if (r.status !== 202) throw new Error(`send: ${r.status} ${r.text}`);
        });
      return {
        async expectReply(match: RegExp | string, timeoutMs = 5000) {
          await sent;
          const reply = await nextReply(timeoutMs);
          if (!reply) throw new Error(`no reply to ${JSON.stringify(text)} within ${timeoutMs} ms`);
          const ok = typeof match === 'string' ? reply.text.includes(match) : match.test(reply.text);
          if (!ok) throw new Error(`reply to ${JSON.stringify(text)} was ${JSON.stringify(reply.text)}, expected ${String(match)}`);
          return reply;
        },
      };
    },
    async transcript() {
      const page = await http(`${url}/api/webchat/sessions/${sessionId}/messages?after=0`, { token });
      return (page.json.messages as Reply[]).map((m) => ({ author: m.author, text: m.text }));
    },
  };
}
