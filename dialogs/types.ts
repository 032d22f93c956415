/**
 * The dialog contract: `(state, event) -> { state, actions }`. Pure: no I/O, no clock, no
 * randomness; actions are data that the runtime carries out (src/pipeline/actions.ts).
 */
import type { DialogState, Severity } from '../src/contract.js';

export interface EventUnderstanding {
  intent: string;
  confidence: number;
  language: 'zh' | 'en';
  grade: { severity: Severity; category: string | null; form: string | null; nature: string | null; reasons: string[] };
}

export interface DialogEvent {
  kind: 'text' | 'media' | 'event';
  text: string;
  /** Platform event name for kind 'event' (subscribe, CLICK...) and its key. */
  event?: string;
  key?: string;
  channel: string;
  public: boolean;
  understanding: EventUnderstanding;
  faq: { id: string; answer: string; score: number } | null;
  customer: { tier: 'standard' | 'vip'; firstContact: boolean };
  /** Milliseconds since epoch, supplied by the runtime so the dialog stays pure. */
  now: number;
}

export type Priority = 'critical' | 'serious' | 'vip' | 'normal';

export type Action =
  | { type: 'reply'; template: string; vars?: Record<string, string | number>; choices?: string[] }
  | { type: 'handoff'; reason: string; priority: Priority }
  | { type: 'open_case'; severity: Severity; category: string | null; form: string | null; nature: string | null; reasons: string[]; subject: string }
  | { type: 'schedule_follow_up'; afterMs: number; note: string }
  | { type: 'set_attribute'; key: string; value: string | number | boolean };

export interface DialogResult {
  state: DialogState;
  actions: Action[];
}

export type Dialog = (state: DialogState | null, event: DialogEvent) => DialogResult;
