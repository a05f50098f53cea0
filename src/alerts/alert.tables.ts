/** Row shapes of the alerts tables (Kysely); only the alerts stores use them. */
export interface AlertsTables {
  alert_integrations: {
    id: string;
    name: string;
    type: string;
    key_hash: string;
    key_sealed: string;
    spec_json: string;
    labels_json: string;
    created_at: number;
    updated_at: number;
  };
  alert_config: {
    kind: string;
    name: string;
    labels_json: string;
    spec_json: string;
    created_at: number;
    updated_at: number;
  };
  alert_silences: {
    id: string;
    name: string;
    matchers_json: string;
    starts_at: number;
    ends_at: number;
    created_by: string;
    comment: string;
    labels_json: string;
    created_at: number;
    updated_at: number;
  };
  alerts: AlertRow;
  /** `active`: 1 while the alert is open (a copy of `alerts.active_key IS NOT NULL`, for counting). */
  alert_labels: { alert_id: string; name: string; value: string; active: number };
  alert_history: {
    id: string;
    alert_id: string;
    at: number;
    type: string;
    message: string;
    details_json: string | null;
  };
  alert_groups: GroupRow;
  alert_group_members: { group_id: string; alert_id: string };
  alert_notifications: NotificationRow;
  alert_changes: {
    id: string;
    integration_id: string;
    at: number;
    summary: string;
    source: string | null;
    details_json: string | null;
  };
  alert_meta: { key: string; value: number };
}

export interface AlertRow {
  id: string;
  fingerprint: string;
  active_key: string | null;
  integration_id: string | null;
  source: string;
  dedup_key: string | null;
  status: string;
  acknowledged_at: number | null;
  summary: string;
  severity: string;
  labels_json: string;
  annotations_json: string;
  details_json: string | null;
  generator_url: string | null;
  starts_at: number;
  ends_at: number | null;
  expires_at: number | null;
  first_seen_at: number;
  last_seen_at: number;
  repeats: number;
  flapping: number;
  why_json: string;
  updated_at: number;
}

export interface GroupRow {
  id: string;
  group_key: string;
  route_path: string;
  receiver: string;
  labels_json: string;
  created_at: number;
  next_flush_at: number | null;
  flush_key: string | null;
  last_flush_at: number | null;
  last_notified_at: number | null;
  notified_json: string;
  held: number;
  updated_at: number;
}

export interface NotificationRow {
  id: string;
  group_id: string;
  group_key: string;
  receiver: string;
  at: number;
  status: string;
  firing: number;
  resolved: number;
  payload_json: string;
  targets: number;
  delivered: number;
  failed: number;
  receipts_json: string;
  updated_at: number;
}
