/** Serves the agent console (`/console`): a static page and script; data comes from the agent API. */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { fromRoot } from '../paths.js';

export function registerConsolePage(app: FastifyInstance): void {
  const html = readFileSync(fromRoot('src', 'console', 'public', 'console.html'), 'utf8');
  const script = readFileSync(fromRoot('src', 'console', 'public', 'console.js'), 'utf8');
  const security = {
    'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  app.get('/console', async (_request, reply) => reply.headers(security).type('text/html; charset=utf-8').send(html));
  app.get('/console/console.js', async (_request, reply) => reply.headers(security).type('application/javascript; charset=utf-8').send(script));
  const reportsHtml = readFileSync(fromRoot('src', 'console', 'public', 'reports.html'), 'utf8');
  const reportsJs = readFileSync(fromRoot('src', 'console', 'public', 'reports.js'), 'utf8');
  app.get('/console/reports', async (_request, reply) => reply.headers(security).type('text/html; charset=utf-8').send(reportsHtml));
  const weiboHtml = readFileSync(fromRoot('src', 'console', 'public', 'weibo.html'), 'utf8');
  const weiboJs = readFileSync(fromRoot('src', 'console', 'public', 'weibo.js'), 'utf8');
  app.get('/console/weibo', async (_request, reply) => reply.headers(security).type('text/html; charset=utf-8').send(weiboHtml));
  app.get('/console/weibo.js', async (_request, reply) => reply.headers(security).type('application/javascript; charset=utf-8').send(weiboJs));
  app.get('/console/reports.js', async (_request, reply) => reply.headers(security).type('application/javascript; charset=utf-8').send(reportsJs));
}
