/**
 * What the pipeline asks of the understanding module (src/nlu): the text's understanding
 * and FAQ hit in the message's turn, or worked out earlier on the NLU worker thread
 * (src/nlu/pool.ts), and an optional second opinion (src/nlu/llm.ts).
 */
import type { DialogEvent } from '../../dialogs/types.js';
import type { InboundMessage } from '../contract.js';

/** What the pipeline needs from the understanding module (src/nlu). */
export interface Understander {
  understand(text: string, ctx?: { channel?: string; public?: boolean; repeatContact?: number }): DialogEvent['understanding'];
  /** A complaint grade whatever the intent (used when a second opinion says complaint). */
  grade?(text: string, ctx?: { channel?: string; public?: boolean; repeatContact?: number }): DialogEvent['understanding']['grade'];
  faq: { ask(text: string): FaqAnswer | null };
}

type Understanding = DialogEvent['understanding'];

/** What a message's text says, worked out off the event loop before its turn (src/nlu/pool.ts). */
export interface Analyser {
  /** Null: not available for this text; the pipeline understands it itself. */
  analyse(text: string, ctx: { channel?: string; public?: boolean }): Promise<{ understanding: Understanding; faq: FaqAnswer | null } | null>;
}

type FaqAnswer = { id: string; answer: string; score: number };
export type Analysis = Awaited<ReturnType<Analyser['analyse']>>;

/** An optional second opinion on uncertain messages (src/nlu/llm.ts), asked before the transaction. */
export interface SecondOpinionHook {
  needs(local: Understanding): boolean;
  intentOf(text: string): Promise<string | null>;
  apply(local: Understanding, text: string, ctx: { channel?: string; public?: boolean; repeatContact?: number }, intent: string | null): Understanding;
}

/** Starts working out a text on the worker; null for events and blank texts, or on any failure. */
export function analyseEarly(analyser: Analyser | null | undefined, input: InboundMessage): Promise<Analysis> {
  if (!analyser || input.kind === 'event' || !input.text.trim()) return Promise.resolve(null);
  return analyser.analyse(input.text, { channel: input.channel, public: input.public }).catch(() => null);
}

/** The second opinion's intent for an uncertain text (undefined: not asked). */
export async function secondOpinionFor(
  deps: { secondOpinion?: SecondOpinionHook | null; nlu: Understander }, input: InboundMessage, analysis: Analysis,
): Promise<string | null | undefined> {
  const hook = deps.secondOpinion;
  if (!hook || input.kind === 'event' || !input.text.trim()) return undefined;
  if (!hook.needs(analysis?.understanding ?? deps.nlu.understand(input.text, { channel: input.channel, public: input.public }))) return undefined;
  return hook.intentOf(input.text);
}
