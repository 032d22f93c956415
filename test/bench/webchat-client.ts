/**
 * Web chat sessions for the benchmark, each authenticated on its WebSocket before its first
 * message: `via: 'socket'` sends on that socket (the widget's way once connected), `'post'`
 * by POST (the widget's way before that, and any other client's). A message resolves when
 * the bot's reply arrives on the WebSocket.
 */
import WebSocket from 'ws';
import { post } from './load.js';

export type SendVia = 'socket' | 'post';

export class BenchSession {
  private waiting: Array<() => void> = [];
  private counter = 0;
  private constructor(
    private readonly url: string, readonly id: string, private readonly token: string, private readonly ws: WebSocket, private readonly via: SendVia,
  ) {}

  static async open(url: string, via: SendVia): Promise<BenchSession> {
    const created = await post(`${url}/api/webchat/sessions`, {});
    const { sessionId, token } = JSON.parse(created.body) as { sessionId: string; token: string };
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/webchat/sessions/${sessionId}/stream`);
    const session = new BenchSession(url, sessionId, token, ws, via);
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token, after: '0' })));
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; messages?: Array<{ author: string }>; error?: unknown };
        if (frame.type === 'ready') resolve();
        if (frame.type === 'error') console.error('bench: the gateway refused a message', frame.error);
        // Any answer counts (the bot's, or the runtime's queue message if a turn was handed over).
        for (const m of frame.messages ?? []) if (m.author !== 'customer') session.waiting.shift()?.();
      });
      ws.on('error', reject);
    });
    return session;
  }

  /** Sends one message; resolves when its reply has been pushed back. */
  async ask(text: string): Promise<void> {
    const replied = new Promise<void>((resolve) => this.waiting.push(resolve));
    const clientMessageId = `b${++this.counter}`;
    if (this.via === 'socket') {
      this.ws.send(JSON.stringify({ type: 'message', text, clientMessageId }));
    } else {
      const r = await post(`${this.url}/api/webchat/sessions/${this.id}/messages`, { text, clientMessageId }, { authorization: `Bearer ${this.token}` });
      if (r.status !== 202) throw new Error(`HTTP ${r.status}`);
    }
    // A reply that never comes (the bot handed over) counts as an error, not a hang.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no reply within 10 s')), 10_000);
    });
    try {
      await Promise.race([replied, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.ws.close();
  }
}

/**
 * A pool of sessions, each used for a short, realistic exchange (a greeting, then two FAQ
 * questions) and then retired, so no conversation drifts into a hand-over (a repeated
 * question or a string of unclear ones would rightly hand it to a person, and the bot would
 * fall silent).
 */
export class SessionPool {
  static readonly SCRIPT = ['你好', '运费怎么收？', '下单后多久能送到？'];
  private next = 0;
  private constructor(private readonly sessions: BenchSession[]) {}

  static async open(url: string, size: number, via: SendVia): Promise<SessionPool> {
    const sessions: BenchSession[] = [];
    for (let i = 0; i < size; i += 100) {
      sessions.push(...(await Promise.all(Array.from({ length: Math.min(100, size - i) }, () => BenchSession.open(url, via)))));
    }
    return new SessionPool(sessions);
  }

  /** The next line of the script on the next fresh session; throws when the pool is used up. */
  ask(): Promise<void> {
    const n = this.next++;
    const session = this.sessions[Math.floor(n / SessionPool.SCRIPT.length)];
    if (!session) return Promise.reject(new Error('session pool exhausted'));
    return session.ask(SessionPool.SCRIPT[n % SessionPool.SCRIPT.length]!);
  }

  close(): void {
    for (const s of this.sessions) s.close();
  }
}
