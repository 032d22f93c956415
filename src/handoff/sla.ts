/** Service-level targets per severity: first response (minutes) and resolution (hours). */
import type { Severity } from '../contract.js';
import { ConfigError } from '../config.js';

export type SlaTable = Record<Severity, number>;

/** Parses `critical:5,serious:15,general:60,none:120`; every severity must be given. */
export function parseSla(name: string, value: string): SlaTable {
  const table: Partial<SlaTable> = {};
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(none|general|serious|critical):(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) throw new ConfigError(`invalid configuration:\n  ${name}: '${part}' is not severity:number`);
    table[match[1] as Severity] = Number(match[2]);
  }
  for (const severity of ['none', 'general', 'serious', 'critical'] as const) {
    if (table[severity] === undefined) throw new ConfigError(`invalid configuration:\n  ${name}: no target for '${severity}'`);
  }
  return table as SlaTable;
}

export interface SlaPolicy {
  firstResponseMinutes: SlaTable;
  resolutionHours: SlaTable;
}

export const dueTimes = (policy: SlaPolicy, severity: Severity, from: number) => ({
  firstResponseDue: from + policy.firstResponseMinutes[severity] * 60_000,
  resolutionDue: from + policy.resolutionHours[severity] * 3_600_000,
});

export const DEFAULT_SLA: SlaPolicy = {
  firstResponseMinutes: { critical: 5, serious: 15, general: 60, none: 120 },
  resolutionHours: { critical: 4, serious: 24, general: 72, none: 72 },
};
