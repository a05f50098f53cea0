import { useCallback, useState } from 'react';
import { Link } from 'react-router-dom';
import { Badge, Button, Card, ErrorState, Form, Select, TextArea, TextField, Time } from '../../ui';
import { LabelChips } from '../alerts/alert-badges';
import { usePolled } from '../alerts/use-polled';
import { actorText, formatDuration, IncidentSeverity } from './incident-format';
import {
  type Incident,
  type IncidentPatch,
  incidentsApi,
  SEVERITIES,
  type Severity,
  type Urgency,
} from './incidents-api';

function EditDetails({
  incident,
  onSaved,
  onCancel,
}: {
  incident: Incident;
  onSaved(i: Incident): void;
  onCancel(): void;
}) {
  const [title, setTitle] = useState(incident.title);
  const [description, setDescription] = useState(incident.description);
  const [severity, setSeverity] = useState<Severity>(incident.severity);
  const [urgency, setUrgency] = useState<Urgency>(incident.urgency);
  const [service, setService] = useState(incident.service ?? '');

  const patch: IncidentPatch = {};
  if (title.trim() !== incident.title) patch.title = title.trim();
  if (description !== incident.description) patch.description = description;
  if (severity !== incident.severity) patch.severity = severity;
  if (urgency !== incident.urgency) patch.urgency = urgency;
  if ((service.trim() || null) !== incident.service) patch.service = service.trim() || null;

  return (
    <Form
      onSubmit={async () => onSaved(await incidentsApi.update(incident.id, patch))}
      submitLabel="Save"
      onCancel={onCancel}
      submitDisabled={Object.keys(patch).length === 0}
      testId="details-form"
    >
      <TextField name="title" label="Title" value={title} onChange={setTitle} testId="edit-title" />
      <div className="form-grid">
        <Select
          name="severity"
          label="Severity"
          value={severity}
          onChange={(v) => setSeverity(v as Severity)}
          options={SEVERITIES.map((s) => ({ value: s, label: s }))}
          testId="edit-severity"
        />
        <Select
          name="urgency"
          label="Urgency"
          value={urgency}
          onChange={(v) => setUrgency(v as Urgency)}
          options={[
            { value: 'high', label: 'high' },
            { value: 'low', label: 'low' },
          ]}
          testId="edit-urgency"
        />
      </div>
      <TextField name="service" label="Service" optional value={service} onChange={setService} testId="edit-service" />
      <TextArea
        name="description"
        label="Description"
        optional
        value={description}
        onChange={setDescription}
        rows={4}
      />
    </Form>
  );
}

/** Severity, urgency, service and the lifecycle facts; responders may edit the first three. */
export function DetailsCard({
  incident: i,
  canWrite,
  onChanged,
}: {
  incident: Incident;
  canWrite: boolean;
  onChanged(i: Incident): void;
}) {
  const [editing, setEditing] = useState(false);
  return (
    <Card title="Details" className="incident-details">
      {canWrite && !editing ? (
        <Button size="sm" className="card-corner" onClick={() => setEditing(true)} testId="edit-details">
          Edit
        </Button>
      ) : null}
      {editing ? (
        <EditDetails
          incident={i}
          onCancel={() => setEditing(false)}
          onSaved={(next) => {
            setEditing(false);
            onChanged(next);
          }}
        />
      ) : (
        <dl className="dl" data-testid="incident-facts">
          <dt>Severity</dt>
          <dd>
            <IncidentSeverity severity={i.severity} />
          </dd>
          <dt>Urgency</dt>
          <dd data-testid="incident-urgency">{i.urgency}</dd>
          <dt>Service</dt>
          <dd data-testid="incident-service">{i.service ?? <span className="muted">none</span>}</dd>
          {i.team ? (
            <>
              <dt>Team</dt>
              <dd>{i.team}</dd>
            </>
          ) : null}
          <dt>Policy</dt>
          <dd>
            {i.policy ? (
              <Link to={`/oncall/policies/${encodeURIComponent(i.policy)}`}>{i.policy}</Link>
            ) : (
              <span className="muted">none: nobody is paged</span>
            )}
            {i.escalation && i.status === 'triggered' ? (
              <span className="cell-secondary" data-testid="incident-escalation">
                level {i.escalation.level + 1}
                {i.escalation.cycle ? `, repeat ${i.escalation.cycle}` : ''}
                {i.escalation.nextAt ? (
                  <>
                    ; next level <Time value={i.escalation.nextAt} relative />
                  </>
                ) : null}
              </span>
            ) : null}
          </dd>
          <dt>Opened</dt>
          <dd>
            <Time value={i.createdAt} /> <span className="muted">by {actorText(i.createdBy)}</span>
          </dd>
          <dt>Acknowledged</dt>
          <dd>
            {i.acknowledgedAt ? (
              <>
                <Time value={i.acknowledgedAt} />{' '}
                <span className="muted">
                  by {actorText(i.acknowledgedBy ?? '')}, after {formatDuration(i.ttaSeconds)}
                </span>
              </>
            ) : (
              <span className="muted">not yet</span>
            )}
          </dd>
          <dt>Resolved</dt>
          <dd>
            {i.resolvedAt ? (
              <>
                <Time value={i.resolvedAt} />{' '}
                <span className="muted">
                  by {actorText(i.resolvedBy ?? '')}, after {formatDuration(i.ttrSeconds)}
                </span>
              </>
            ) : (
              <span className="muted">not yet</span>
            )}
          </dd>
          {Object.keys(i.labels).length ? (
            <>
              <dt>Labels</dt>
              <dd>
                <LabelChips labels={i.labels} />
              </dd>
            </>
          ) : null}
        </dl>
      )}
    </Card>
  );
}

/** The alerts grouped into this incident, each linking to its alert page. */
export function LinkedAlertsCard({ incidentId, count }: { incidentId: string; count: number }) {
  const load = useCallback((signal: AbortSignal) => incidentsApi.alerts(incidentId, signal), [incidentId]);
  // Re-read when the incident's counts change rather than on a timer.
  const { data, error, reload } = usePolled(load, 30_000);
  const [seen, setSeen] = useState(count);
  if (seen !== count) {
    setSeen(count);
    reload();
  }
  return (
    <Card title={`Alerts (${data?.length ?? count})`}>
      {error && !data ? <ErrorState error={error} onRetry={reload} /> : null}
      {data && !data.length ? (
        <p className="muted card-empty">No alerts: this incident was opened by hand.</p>
      ) : (
        <ul className="linked-alerts" data-testid="linked-alerts">
          {data?.map((a) => (
            <li key={a.alertId}>
              <Badge tone={a.status === 'firing' ? 'danger' : 'success'}>{a.status}</Badge>
              <Link to={`/alerts/${encodeURIComponent(a.alertId)}`} className="linked-alert-summary">
                {a.summary}
              </Link>
              <Time value={a.attachedAt} relative />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
