/**
 * Posts signed text messages to a WeChat webhook and checks the passive reply, as WeChat
 * would. `ask(worker, text)` resolves when the reply XML has arrived.
 */
import { wechatSignature } from '../../channels/wechat/signature.js';
import { postRaw } from './load.js';

export function wechatBenchClient(webhookUrl: string, token: string, account = 'gh_bench') {
  let counter = 0;
  return async (worker: number, text: string): Promise<void> => {
    counter += 1;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(counter);
    const query = new URLSearchParams({ signature: wechatSignature([token, timestamp, nonce]), timestamp, nonce });
    const xml = `<xml><ToUserName><![CDATA[${account}]]></ToUserName><FromUserName><![CDATA[oBENCH${worker}]]></FromUserName>` +
      `<CreateTime>${timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${text}]]></Content>` +
      `<MsgId>${Date.now()}${String(counter).padStart(6, '0')}</MsgId></xml>`;
    const reply = await postRaw(`${webhookUrl}?${query}`, xml, { 'content-type': 'text/xml' });
    if (reply.status !== 200 || !reply.body.startsWith('<xml>')) throw new Error(`no passive reply: HTTP ${reply.status}`);
  };
}
