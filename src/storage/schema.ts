/**
 * Row types of the database, as Kysely sees them. Both dialects store the same shapes:
 * times are epoch milliseconds (bigint), JSON is text, booleans are 0/1 integers.
 */
import type { Generated } from 'kysely';

export interface CustomersTable {
  id: string;
  display_name: string | null;
  tier: string;
  language: string | null;
  contact_prefs: string;
  attributes: string;
  merged_into: string | null;
  created_at: number;
  updated_at: number;
}

export interface IdentitiesTable {
  id: string;
  customer_id: string;
  channel: string;
  external_id: string;
  display_name: string | null;
  created_at: number;
}

export interface ConversationsTable {
  id: string;
  customer_id: string;
  channel: string;
  thread_key: string;
  status: string;
  assignee_id: string | null;
  dialog_state: string | null;
  flow: string | null;
  step: string | null;
  created_at: number;
  updated_at: number;
  last_message_at: number;
  // Added by the workspace migration: optional on insert (Generated), set by the takeover code.
  priority: Generated<string | null>;
  queued_at: Generated<number | null>;
  handoff_reason: Generated<string | null>;
  group_name: Generated<string | null>;
}

export interface MessagesTable {
  seq: Generated<number>;
  id: string;
  conversation_id: string;
  channel: string;
  direction: string;
  /** text | media | event, as in the message contract. */
  kind: string;
  /** Event name and key, whether the post was public: what the dialog needs besides text. */
  meta: string;
  author_kind: string;
  author_id: string | null;
  text: string;
  attachments: string;
  channel_message_id: string | null;
  raw: string | null;
  /** Inbound only: set when the dialog has handled it (a crash before that re-runs it). */
  processed_at: number | null;
  created_at: number;
}

export interface OutboxTable {
  seq: Generated<number>;
  id: string;
  message_id: string;
  conversation_id: string;
  channel: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  /** The claim's token while `sending` (migration 012), null otherwise. */
  lease_token: string | null;
  created_at: number;
  updated_at: number;
}

export interface CasesTable {
  id: string;
  number: string;
  customer_id: string;
  conversation_id: string | null;
  status: string;
  severity: string;
  category: string | null;
  form: string | null;
  nature: string | null;
  reasons: string;
  subject: string;
  owner_id: string | null;
  created_at: number;
  updated_at: number;
  first_response_due: Generated<number | null>;
  resolution_due: Generated<number | null>;
  first_response_at: Generated<number | null>;
  resolved_at: Generated<number | null>;
  resolution: Generated<string | null>;
  sla_breached: Generated<number>;
}

export interface WebchatSessionsTable {
  id: string;
  token_hash: string;
  customer_id: string;
  conversation_id: string;
  created_at: number;
  last_seen_at: number;
}

/** Small named values that must survive restarts: channel cursors, counters. */
export interface CheckpointsTable {
  name: string;
  value: string;
  updated_at: number;
}

export interface AgentsTable {
  id: string;
  username: string;
  display_name: string;
  role: string;
  password_hash: string;
  groups: string;
  capacity: number;
  presence: string;
  failed_logins: number;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface AgentSessionsTable {
  token_hash: string;
  agent_id: string;
  created_at: number;
  expires_at: number;
}

export interface AuditLogTable {
  seq: Generated<number>;
  agent_id: string | null;
  action: string;
  target: string | null;
  detail: string;
  created_at: number;
}

export interface CaseEventsTable {
  seq: Generated<number>;
  case_id: string;
  kind: string;
  actor: string | null;
  detail: string;
  created_at: number;
}

export interface SurveysTable {
  id: string;
  conversation_id: string;
  customer_id: string;
  channel: string;
  thread_key: string;
  agent_id: string | null;
  sent_at: number;
  rating: number | null;
  comment: string | null;
  answered_at: number | null;
}

export interface FollowUpsTable {
  id: string;
  conversation_id: string;
  customer_id: string;
  case_id: string | null;
  note: string;
  due_at: number;
  status: string;
  channel: string | null;
  outcome: string | null;
  created_at: number;
  done_at: number | null;
}

export interface Database {
  surveys: SurveysTable;
  follow_ups: FollowUpsTable;
  agents: AgentsTable;
  agent_sessions: AgentSessionsTable;
  audit_log: AuditLogTable;
  case_events: CaseEventsTable;
  customers: CustomersTable;
  identities: IdentitiesTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  outbox: OutboxTable;
  cases: CasesTable;
  webchat_sessions: WebchatSessionsTable;
  checkpoints: CheckpointsTable;
}
