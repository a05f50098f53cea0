/** Row shapes of the incidents tables (Kysely). Only the incidents stores use them. */
export interface IncidentsTables {
  incidents: {
    id: string;
    number: number;
    title: string;
    description: string;
    severity: string;
    urgency: string;
    status: string;
    service: string | null;
    team: string | null;
    labels_json: string;
    policy: string | null;
    group_key: string | null;
    receiver: string | null;
    /** `receiver|groupKey` while the incident is open, NULL after: one open incident per alert group. */
    open_key: string | null;
    created_at: number;
    created_by: string;
    acknowledged_at: number | null;
    acknowledged_by: string | null;
    resolved_at: number | null;
    resolved_by: string | null;
    updated_at: number;
    /** Bumped when escalation restarts (reopen, ack timeout): tasks of an older run do nothing. */
    escalation_run: number;
    escalation_cycle: number;
    escalation_level: number;
    escalation_next_at: number | null;
    /** Bumped on every acknowledgement; an ack-timeout task only fires for the ack it was made for. */
    ack_seq: number;
  };
  incident_alerts: {
    incident_id: string;
    alert_id: string;
    fingerprint: string;
    status: string;
    summary: string;
    labels_json: string;
    attached_at: number;
    resolved_at: number | null;
  };
  incident_timeline: {
    id: string;
    incident_id: string;
    at: number;
    type: string;
    actor: string;
    message: string;
    details_json: string;
  };
  incident_roles: { incident_id: string; role: string; user_email: string; assigned_at: number };
  incident_responders: { incident_id: string; user_email: string; added_at: number };
  /** One row per escalation step that ran: the guard that makes a re-run of a step task do nothing. */
  incident_escalation_steps: { incident_id: string; run: number; cycle: number; level: number; at: number };
  incident_counter: { id: string; value: number };
}
