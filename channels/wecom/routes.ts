/**
 * The kf callback:
 *   GET  /webhooks/wecom?msg_signature&timestamp&nonce&echostr   URL check: the decrypted echostr
 *   POST /webhooks/wecom?msg_signature&timestamp&nonce           <xml><Encrypt>..</Encrypt></xml>
 * The POST is answered at once (WeCom also retries after 5 s) and the pull runs after it:
 * the callback holds no message, only `<Event>kf_msg_or_event</Event>`, a Token and OpenKfId.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { KefuError } from '../../src/errors.js';
import { parseOr400 } from '../../src/server/http.js';
import type { ChannelDeps } from '../types.js';
import { decryptWithKeys, type AesKey } from '../wechat/crypto.js';
import { MAX_BODY_BYTES } from '../wechat/definition.js';
import { signatureMatches } from '../wechat/signature.js';
import { field, parseWechatXml } from '../wechat/xml.js';
import type { WecomSettings } from './definition.js';
import type { KfSync } from './sync.js';

const Query = z.object({
  msg_signature: z.string().max(128).optional(),
  timestamp: z.string().regex(/^\d{1,12}$/, 'must be a Unix time'),
  nonce: z.string().min(1).max(64),
  echostr: z.string().min(1).max(2048).optional(),
});

export function registerWecomRoutes(app: FastifyInstance, deps: Pick<ChannelDeps, 'logger'>, settings: WecomSettings, keys: AesKey[], sync: KfSync): void {
  const open = (q: z.infer<typeof Query>, encrypted: string): string => {
    if (!signatureMatches(q.msg_signature, [settings.token, q.timestamp, q.nonce, encrypted])) throw new KefuError('unauthorized', 'signature does not match');
    const plain = decryptWithKeys(encrypted, settings.corpId, keys);
    if (!plain.ok) {
      deps.logger.error({ channel: 'wecom', reason: plain.reason }, 'a signed WeCom callback cannot be decrypted: check WECOM_ENCODING_AES_KEY');
      throw new KefuError(plain.reason === 'appid_mismatch' ? 'unauthorized' : 'bad_request', `cannot be decrypted (${plain.reason})`);
    }
    return plain.message;
  };

  void app.register(async (scope) => {
    scope.addContentTypeParser(['text/xml', 'application/xml', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));

    scope.get('/webhooks/wecom', async (request, reply) => {
      const q = parseOr400(Query, request.query);
      if (!q.echostr) throw new KefuError('validation_failed', 'echostr: required');
      return reply.type('text/plain; charset=utf-8').send(open(q, q.echostr));
    });

    scope.post('/webhooks/wecom', { bodyLimit: MAX_BODY_BYTES }, async (request, reply) => {
      const q = parseOr400(Query, request.query);
      // No unsigned callback is parsed: the signature needs the Encrypt field, so the outer
      // XML is read first, but nothing inside it is trusted before the check.
      if (typeof request.body !== 'string') throw new KefuError('unsupported_media_type', 'WeCom callbacks are XML');
      const outer = parseWechatXml(request.body);
      if (!outer.ok) throw new KefuError(outer.reason === 'xml_too_large' ? 'payload_too_large' : 'bad_request', outer.message);
      const encrypted = field(outer.root, 'Encrypt');
      if (!encrypted) throw new KefuError('bad_request', 'the callback has no <Encrypt>');
      const inner = parseWechatXml(open(q, encrypted));
      if (!inner.ok) throw new KefuError('bad_request', inner.message);
      const event = field(inner.root, 'Event');
      const openKfid = field(inner.root, 'OpenKfId');
      if (event === 'kf_msg_or_event' && openKfid && /^[\w-]{1,128}$/.test(openKfid)) {
        void sync.trigger(openKfid, field(inner.root, 'Token')).catch((error: unknown) =>
          deps.logger.error({ err: error, channel: 'wecom' }, 'kf pull failed'));
      }
      // Other callbacks (contacts, approvals...) are not ours: acknowledged so WeCom does not retry.
      return reply.type('text/plain; charset=utf-8').send('success');
    });
  });
}
