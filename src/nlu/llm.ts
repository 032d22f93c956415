/**
 * An optional second opinion on low-confidence intents from an OpenAI-compatible
 * chat-completions server (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL). Off by default;
 * `openai` is an optional dependency, imported only when used. Whatever goes wrong (no
 * package, no server, slow server, garbage answer), the local result stands. It never
 * lowers a critical grade: a lawyer or an injury goes to a person whatever a model says.
 */
import type { Nlu, Understanding, UnderstandContext } from './index.js';
import { INTENTS, isIntent, type Intent } from './types.js';

export interface SecondOpinionOptions {
  baseURL: string;
  apiKey?: string;
  model?: string;
  /** Hard limit for one call, in milliseconds (default 1500). */
  timeoutMs?: number;
  /** Ask only below this local confidence (default 0.6). */
  belowConfidence?: number;
}

export interface SecondOpinion {
  /** The model's intent for a text, or null on any failure (timeout, error, unusable answer). */
  intentOf(text: string): Promise<Intent | null>;
  readonly belowConfidence: number;
}

/** From the environment: only when NLU_SECOND_OPINION=on and OPENAI_BASE_URL are set. */
export function secondOpinionFromEnv(env: NodeJS.ProcessEnv = process.env): SecondOpinion | null {
  if (env.NLU_SECOND_OPINION !== 'on' || !env.OPENAI_BASE_URL) return null;
  const timeout = Number(env.NLU_SECOND_OPINION_TIMEOUT_MS ?? 1500);
  return createSecondOpinion({
    baseURL: env.OPENAI_BASE_URL,
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    ...(env.OPENAI_MODEL ? { model: env.OPENAI_MODEL } : {}),
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 1500,
  });
}

const SYSTEM_PROMPT =
  'You classify one customer-service message of an office-furniture shop. Answer with JSON only: ' +
  `{"intent": one of ${INTENTS.map((i) => `"${i}"`).join(', ')}}. ` +
  'complaint = expresses dissatisfaction; objection = doubts or bargaining before buying; ' +
  'after_sales = repair, return, exchange, installation or warranty asked without grievance; human = asks for a person.';

interface ChatClient {
  chat: { completions: { create(body: unknown, opts: { signal: AbortSignal; timeout: number; maxRetries: number }): Promise<{ choices?: Array<{ message?: { content?: string | null } }> }> } };
}

export function createSecondOpinion(opts: SecondOpinionOptions): SecondOpinion {
  const timeoutMs = opts.timeoutMs ?? 1500;
  let client: Promise<ChatClient | null> | undefined;
  const getClient = (): Promise<ChatClient | null> =>
    (client ??= import('openai')
      .then((m) => new m.default({ baseURL: opts.baseURL, apiKey: opts.apiKey ?? 'none', maxRetries: 0, timeout: timeoutMs }) as unknown as ChatClient)
      .catch(() => null));
  return {
    belowConfidence: opts.belowConfidence ?? 0.6,
    async intentOf(text) {
      const c = await getClient();
      if (!c) return null;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const reply = await c.chat.completions.create(
          {
            model: opts.model ?? 'gpt-4o-mini',
            temperature: 0,
            max_tokens: 20,
            messages: [
              { role: 'system', content: SYSTEM_PROMPT },
              { role: 'user', content: text.slice(0, 2000) },
            ],
          },
          { signal: controller.signal, timeout: timeoutMs, maxRetries: 0 },
        );
        return parseIntent(reply.choices?.[0]?.message?.content ?? '');
      } catch {
        return null;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** `{"intent":"shipping"}`, possibly fenced or with prose around it; anything else is null. */
export function parseIntent(content: string): Intent | null {
  const json = content.match(/\{[^{}]*\}/)?.[0];
  if (json) {
    try {
      const value = (JSON.parse(json) as { intent?: unknown }).intent;
      return isIntent(value) ? value : null;
    } catch {
      return null;
    }
  }
  const bare = content.trim().replace(/^["']|["']$/g, '');
  return isIntent(bare) ? bare : null;
}

/**
 * Understand locally; when the intent is uncertain and a second opinion is configured, ask
 * it and adopt its intent (re-grading if it says complaint). `source` tells which decided.
 */
export async function understandWithSecondOpinion(
  nlu: Nlu,
  text: string,
  ctx: UnderstandContext = {},
  second: SecondOpinion | null = null,
): Promise<Understanding & { source: 'local' | 'llm' }> {
  const local = nlu.understand(text, ctx);
  if (!second || !needsSecondOpinion(local, second)) return { ...local, source: 'local' };
  return applySecondOpinion(nlu, local, text, ctx, await second.intentOf(text));
}

/** Whether a local result is uncertain enough to ask; a critical grade never is. */
export const needsSecondOpinion = (local: Understanding, second: SecondOpinion): boolean =>
  local.confidence < second.belowConfidence && local.grade.severity !== 'critical';

/** Adopt the model's intent (re-grading if it says complaint); `null` keeps the local result. */
export function applySecondOpinion(
  nlu: Pick<Nlu, 'grade'>, local: Understanding, text: string, ctx: UnderstandContext, intent: Intent | null,
): Understanding & { source: 'local' | 'llm' } {
  if (!intent || intent === local.intent || local.grade.severity === 'critical') return { ...local, source: 'local' };
  const grade = intent === 'complaint' ? nlu.grade(text, ctx) : { severity: 'none' as const, category: null, form: null, nature: null, reasons: [] };
  return { ...local, intent, grade, alternative: { intent: local.intent, confidence: local.confidence }, source: 'llm' };
}
