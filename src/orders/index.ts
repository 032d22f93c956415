/**
 * Which shop the bot orders from: an HTTP shop when ORDER_API_URL is set, else the built-in
 * demo shop in the gateway's database. A factory over the query runner, because the demo
 * shop must write inside the message's transaction.
 */
import type { OrderProvider } from '../../dialogs/orders.js';
import { demoCatalogue, type Catalogue } from '../../dialogs/catalogue/index.js';
import type { Q } from '../store/index.js';
import { demoOrderProvider } from './demo-provider.js';
import { httpOrderProvider } from './http-provider.js';

export type OrderProviderFactory = (q: Q) => OrderProvider;

export interface OrderConfig {
  ORDER_API_URL?: string;
  ORDER_API_TOKEN?: string;
  ORDER_API_TIMEOUT_MS?: number;
}

export function orderProviders(config: OrderConfig, options: { now?: () => number; catalogue?: Catalogue } = {}): OrderProviderFactory {
  if (config.ORDER_API_URL) {
    const shop = httpOrderProvider({ baseUrl: config.ORDER_API_URL, token: config.ORDER_API_TOKEN, timeoutMs: config.ORDER_API_TIMEOUT_MS });
    return () => shop;
  }
  return (q) => demoOrderProvider(q, { now: options.now, catalogue: options.catalogue ?? demoCatalogue });
}

export { demoOrderProvider } from './demo-provider.js';
export { httpOrderProvider } from './http-provider.js';
export { perform, runTurn } from './run-turn.js';
