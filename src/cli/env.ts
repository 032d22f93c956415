import { ConfigError, loadEnvFile, parseConfig, type Config } from '../config.js';

/** EX_CONFIG from sysexits.h: what a bad configuration exits with. */
export const EXIT_CONFIG = 78;

/** The configuration from .env and the environment, or null after printing what is wrong. */
export async function configFromEnv(): Promise<Config | null> {
  await loadEnvFile();
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`kefu: ${error.message}\n`);
    return null;
  }
}
