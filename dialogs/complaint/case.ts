/** The case a complaint leaves behind (domain.md §4: the service notification), and closing an episode. */
import type { ComplaintData, EngineData } from '../state.js';
import type { Action } from '../types.js';

const clip = (text: string, max: number): string => (Array.from(text).length > max ? `${Array.from(text).slice(0, max - 1).join('')}…` : text);

/** open_case with the grading; the subject is what the customer said, the order number first. */
export function complaintCase(c: ComplaintData, note: string): Extract<Action, { type: 'open_case' }> {
  const story = c.story.join(' / ');
  const subject = clip(`${c.orderNo ? `[${c.orderNo}] ` : ''}${story || 'complaint'}`, 200);
  const reasons = [...c.reasons, ...(c.photos > 0 ? [`photos: ${c.photos}`] : []), ...(c.remedy ? [`remedy agreed: ${c.remedy}`] : []), `bot: ${note}`];
  return { type: 'open_case', severity: c.severity, category: c.category, form: c.form, nature: c.nature, reasons, subject };
}

/** The episode is over (agreed or handed over): count it once, for the grader's repeat contact. */
export function closeComplaint(data: EngineData): EngineData {
  if (!data.complaint || data.complaint.closed) return data;
  return { ...data, complaints: data.complaints + 1, complaint: { ...data.complaint, closed: true } };
}
