/**
 * What a step handler receives and returns. A handler is a pure function
 * `(turn, ctx) -> turn`: it reads the event through `ctx`, and returns the flow and step
 * the conversation rests in, the updated data, and the actions to carry out.
 */
import type { Lang } from './catalogue/index.js';
import type { DialogPolicy } from './policy.js';
import type { Tone } from './profile.js';
import type { EngineData, Flow, Step } from './state.js';
import type { Action, DialogEvent } from './types.js';

export interface Ctx {
  event: DialogEvent;
  policy: DialogPolicy;
  /** The message as the NLU matched it: Simplified, half-width, lower-case. */
  text: string;
  /** The message as written (names, addresses and order numbers are read from it). */
  raw: string;
  lang: Lang;
  tone: Tone;
}

export interface Turn {
  flow: Flow;
  step: Step;
  data: EngineData;
  actions: Action[];
  /**
   * False when the bot could make nothing of the message (it answered with a fallback):
   * two such turns in a row hand the conversation to a person.
   */
  understood: boolean;
}

export const rest = (flow: Flow, step: Step, data: EngineData, actions: Action[], understood = true): Turn =>
  ({ flow, step, data, actions, understood });

/** The same turn with more actions and data changes. */
export const extend = (turn: Turn, actions: Action[], data: Partial<EngineData> = {}): Turn =>
  ({ ...turn, data: { ...turn.data, ...data }, actions: [...turn.actions, ...actions] });
