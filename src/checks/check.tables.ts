/** Row shapes of the checks tables (Kysely); only the checks stores use them. */
export interface ChecksTables {
  checks: {
    id: string;
    seq: number;
    name: string;
    kind: string;
    spec_json: string;
    labels_json: string;
    enabled: number;
    interval_ms: number;
    ping_key_hash: string | null;
    ping_key_sealed: string | null;
    created_at: number;
    updated_at: number;
  };
  /** Counters: `seq`, the last seq given to a check. */
  check_counters: {
    key: string;
    value: number;
  };
  /** One row per name in a check's dependsOn (kept by checkStore beside spec_json). */
  check_dependencies: {
    check_id: string;
    depends_on: string;
  };
  check_state: {
    check_id: string;
    status: string;
    since: number | null;
    last_checked_at: number | null;
    last_latency_ms: number | null;
    last_ok: number | null;
    last_message: string | null;
    consecutive_failures: number;
    consecutive_successes: number;
    history: string;
    flapping: number;
    flap_percent: number;
    certificate_json: string | null;
    cert_expiry: string | null;
    last_ping_at: number | null;
    run_started_at: number | null;
    updated_at: number;
  };
  check_results: {
    check_seq: number;
    at: number;
    ok: number;
    latency_ms: number;
    code: number | null;
    message: string | null;
    details_json: string | null;
  };
  check_rollup_1m: RollupRow;
  check_rollup_1h: RollupRow;
  check_rollup_1d: RollupRow;
  check_events: {
    id: string;
    check_id: string;
    at: number;
    type: string;
    from_status: string | null;
    to_status: string | null;
    message: string;
    details_json: string | null;
  };
  check_pings: {
    id: string;
    check_id: string;
    at: number;
    type: string;
    exit_code: number | null;
    duration_ms: number | null;
    body: string | null;
    source_ip: string | null;
    user_agent: string | null;
  };
}

export interface RollupRow {
  check_seq: number;
  bucket: number;
  count: number;
  failures: number;
  min_ms: number | null;
  max_ms: number | null;
  sum_ms: number;
  hist: string;
}

export type CheckRow = ChecksTables['checks'];
export type StateRow = ChecksTables['check_state'];
export type ResultRow = ChecksTables['check_results'];
export type Resolution = '1m' | '1h' | '1d';
export const RESOLUTION_MS: Record<Resolution, number> = { '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };
