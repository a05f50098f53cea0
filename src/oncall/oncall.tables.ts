import type { ConfigTableRow } from '../platform/resources/config-table.js';

/** Row shapes of the oncall tables (Kysely). Only the oncall stores use them. */
export interface OncallTables {
  oncall_config: ConfigTableRow;
  oncall_overrides: {
    id: string;
    schedule: string;
    user_email: string;
    start_at: number;
    end_at: number;
    reason: string;
    created_by: string;
    created_at: number;
  };
  oncall_swaps: {
    id: string;
    schedule: string;
    from_user: string;
    to_user: string;
    start_at: number;
    end_at: number;
    reason: string;
    created_by: string;
    created_at: number;
  };
  /** Secret iCalendar feed URLs: the hash finds the feed, the sealed token lets its owner see the URL again. */
  oncall_feeds: {
    scope: string;
    token_hash: string;
    token_sealed: string;
    created_at: number;
  };
  /** Next member index of a team round-robin target (policy, level, target). */
  oncall_round_robin: { key: string; next: number };
}
