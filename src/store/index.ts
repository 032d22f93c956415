/** The query layer: plain functions over a Kysely runner (the database or a transaction). */
export * from './cases.js';
export * from './checkpoints.js';
export * from './conversations.js';
export * from './customers.js';
export * from './messages.js';
export * from './outbox.js';
export * from './webchat-sessions.js';
export { newId, type Q } from './rows.js';
