/**
 * The first dialog: greet, answer from the FAQ, hand over on request. The full eight-step
 * reception and the complaint flow (issue 4) replace it behind the same `Dialog` type.
 */
import type { DialogState } from '../src/contract.js';
import type { Action, Dialog } from './types.js';

export const GREETER_VERSION = 1;

function fresh(): DialogState {
  return { version: GREETER_VERSION, flow: 'reception', step: 'greet', data: {} };
}

export const greeter: Dialog = (previous, event) => {
  // A state written by another flow or version starts over rather than being misread.
  const state = previous && previous.flow === 'reception' && previous.version === GREETER_VERSION ? previous : fresh();
  const greeted = state.data.greeted === true;
  const actions: Action[] = [];
  const answer = (template: string, vars?: Record<string, string | number>) => actions.push({ type: 'reply', template, vars });

  if (event.kind === 'event') {
    if (event.event === 'subscribe') answer('event_subscribe');
    return { state: { ...state, data: { ...state.data, greeted: true } }, actions };
  }

  const { intent } = event.understanding;
  if (intent === 'human') {
    answer('handoff');
    actions.push({ type: 'handoff', reason: 'customer asked for a person', priority: event.customer.tier === 'vip' ? 'vip' : 'normal' });
  } else if (event.faq) {
    answer(greeted ? 'faq_answer' : 'greeting_faq_answer', { answer: event.faq.answer });
  } else if (!greeted || intent === 'greeting') {
    answer('greeting');
  } else {
    answer('fallback');
  }
  return { state: { ...state, step: 'inquiry', data: { ...state.data, greeted: true } }, actions };
};
