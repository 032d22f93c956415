/** `kefu start`: configuration from the environment (and .env), then the whole gateway. */
import { ConfigError } from '../config.js';
import { createGateway } from '../gateway.js';
import { configFromEnv, EXIT_CONFIG } from './env.js';

export async function run(_argv: string[]): Promise<number> {
  const config = await configFromEnv();
  if (!config) return EXIT_CONFIG;
  let gateway;
  try {
    gateway = await createGateway(config);
  } catch (error) {
    // Channel settings are validated when their channel is built (e.g. WECHAT_ACCOUNTS).
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`kefu: ${error.message}\n`);
    return EXIT_CONFIG;
  }
  const url = await gateway.listen();
  gateway.logger.info({ url, database: gateway.db.dialect, channels: [...gateway.channels.keys()] }, 'kefu is listening');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      gateway.logger.info({ signal }, 'shutting down');
      void gateway.close().finally(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
