/** A web chat session's WebSocket, authenticated: every frame received, and a way to wait for one. */
import WebSocket from 'ws';

export async function authedStream(url: string, s: { sessionId: string; token: string }, after = '0') {
  const frames: any[] = [];
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/webchat/sessions/${s.sessionId}/stream`);
  ws.on('message', (data) => frames.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => { ws.send(JSON.stringify({ type: 'auth', token: s.token, after })); resolve(); });
    ws.on('error', reject);
  });
  const waitFor = async (predicate: () => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${JSON.stringify(frames)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await waitFor(() => frames.some((f) => f.type === 'ready'));
  return { ws, frames, waitFor };
}
