import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { lazyChild, type Logger } from '../../src/logger.js';

/** A pino logger with the gateway's redaction, writing its lines into `lines`. */
function capture(level: string): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level, redact: { paths: ['*.text', 'text'], censor: '[redacted]' } }, sink), lines };
}

describe('request logger made on first use (lazyChild)', () => {
  test('a line logged through it carries the bindings, and redaction still applies', () => {
    const { logger, lines } = capture('info');
    const child = lazyChild(logger, { reqId: 'r1' }, {});
    child.warn({ text: 'secret words', n: 1 }, 'something');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reqId: 'r1', n: 1, text: '[redacted]', msg: 'something', level: 40 });
  });

  test('a level the parent drops makes no child and writes nothing; the level reads through', () => {
    const { logger, lines } = capture('info');
    let made = 0;
    const counting = Object.create(logger) as Logger;
    counting.child = ((...args: Parameters<Logger['child']>) => {
      made += 1;
      return logger.child(...args);
    }) as Logger['child'];
    const child = lazyChild(counting, { reqId: 'r2' }, {});
    child.debug('not shown');
    child.trace('not shown');
    expect(child.level).toBe('info');
    expect(made).toBe(0);
    child.error('shown');
    child.info('shown too');
    expect(made).toBe(1);
    expect(lines.map((l) => l.reqId)).toEqual(['r2', 'r2']);
  });

  test('fastify requests log through it with their request id', async () => {
    const { logger, lines } = capture('info');
    const app = Fastify({
      loggerInstance: logger as unknown as FastifyBaseLogger,
      disableRequestLogging: true,
      genReqId: () => 'req-42',
      childLoggerFactory: (parent, bindings, options) => lazyChild(parent as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger,
    });
    app.get('/quiet', async () => ({ ok: true }));
    app.get('/loud', async (request) => {
      request.log.warn({ step: 'loud' }, 'logged by the route');
      return { ok: true };
    });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect((await fetch(`${url}/quiet`)).status).toBe(200);
      expect(lines.filter((l) => l.reqId === 'req-42')).toHaveLength(0);
      expect((await fetch(`${url}/loud`)).status).toBe(200);
      expect(lines.filter((l) => l.reqId === 'req-42')).toEqual([expect.objectContaining({ step: 'loud', msg: 'logged by the route' })]);
    } finally {
      await app.close();
    }
  });
});
