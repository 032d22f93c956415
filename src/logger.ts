import pino, { type Logger } from 'pino';

/**
 * Structured logs. Secrets and personal data never reach them in full: tokens, passwords,
 * signatures and message texts are redacted wherever they appear in a logged object.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization', 'req.headers.cookie', '*.token', '*.password', '*.secret',
        '*.text', '*.content', '*.accessToken', 'token', 'password', 'text',
      ],
      censor: '[redacted]',
    },
  });
}

/** Shows enough of an identifier to correlate log lines, not enough to identify a person. */
export const mask = (value: string): string => (value.length <= 6 ? '***' : `${value.slice(0, 3)}***${value.slice(-2)}`);

export type { Logger };
