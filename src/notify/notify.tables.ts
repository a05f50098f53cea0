import type { ConfigTableRow } from '../platform/resources/config-table.js';

/** Row shapes of the notify tables (Kysely). Only the notify stores use them. */
export interface NotifyTables {
  notify_config: ConfigTableRow;
  notify_contact_methods: {
    id: string;
    user_id: string;
    name: string;
    channel: string;
    address: string | null;
    created_at: number;
    updated_at: number;
  };
  notify_rules: {
    id: string;
    user_id: string;
    urgency: string;
    delay_minutes: number;
    contact_method_id: string;
    created_at: number;
  };
  /**
   * One delivery of one message to one channel (and person): its state and every attempt's receipt.
   * `id` is the idempotency key receivers see, stable across retries.
   */
  notify_deliveries: {
    id: string;
    incident_id: string | null;
    user_id: string | null;
    contact_method_id: string | null;
    channel: string;
    channel_type: string;
    address_hint: string | null;
    event: string;
    urgency: string;
    lane: string;
    status: string;
    run_at: number;
    attempts: number;
    last_status_code: number | null;
    last_latency_ms: number | null;
    last_error: string | null;
    receipts_json: string;
    message_json: string;
    created_at: number;
    updated_at: number;
    delivered_at: number | null;
  };
}
