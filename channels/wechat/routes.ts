/**
 * HTTP routes of the official-account webhook:
 *   GET  /webhooks/wechat[/:account]   URL check (answers echostr)
 *   POST /webhooks/wechat[/:account]   messages and events (XML)
 * `/webhooks/wechat` is the account from WECHAT_TOKEN...; `/:account` one from WECHAT_ACCOUNTS.
 * XML bodies are accepted only inside this plugin's scope: the rest of the API stays JSON.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { KefuError } from '../../src/errors.js';
import type { ChannelDeps } from '../types.js';
import type { WechatAccounts } from './accounts.js';
import { DEFAULT_ACCOUNT, MAX_BODY_BYTES } from './definition.js';
import type { WechatWebhook } from './webhook.js';

export function registerWechatRoutes(app: FastifyInstance, deps: Pick<ChannelDeps, 'logger'>, accounts: WechatAccounts, webhook: WechatWebhook): void {
  void app.register(async (scope) => {
    // WeChat posts `text/xml`; some proxies and test tools say application/xml or text/plain.
    scope.addContentTypeParser(['text/xml', 'application/xml', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
    scope.addHook('onError', async (request, _reply, error) => {
      // Oversized and unreadable bodies never reach the handler: record them here.
      const code = (error as { code?: string }).code;
      if (code?.startsWith('FST_ERR_CTP_')) deps.logger.warn({ channel: 'wechat', reason: code, length: request.headers['content-length'] }, 'WeChat webhook payload refused');
    });

    const accountOf = (request: FastifyRequest) => {
      const name = (request.params as { account?: string }).account ?? DEFAULT_ACCOUNT;
      const account = accounts.get(name);
      if (!account) throw new KefuError('not_found', `no WeChat account '${name}' is configured`);
      return account;
    };

    for (const path of ['/webhooks/wechat', '/webhooks/wechat/:account']) {
      scope.get(path, async (request, reply) => {
        const echo = webhook.verifyUrl(accountOf(request), request.query);
        return reply.type('text/plain; charset=utf-8').send(echo);
      });
      scope.post(path, { bodyLimit: MAX_BODY_BYTES }, async (request, reply) => {
        const answer = await webhook.receive(accountOf(request), {
          query: request.query, body: request.body,
          // WeChat hangs up at 5 s: a reply written after that is lost, so it is not taken.
          // (Not `request.raw.destroyed`: Node sets that once the body has been read.)
          alive: () => !reply.raw.destroyed && !request.raw.socket.destroyed,
        });
        return reply.type(answer.contentType).send(answer.body);
      });
    }
  });
}
