import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Dialog, Form, Select, TextArea, TextField } from '../../ui';
import { resourceNames } from '../oncall/resources-api';
import { incidentsApi, SEVERITIES, type Severity, type Urgency } from './incidents-api';

const SEVERITY_OPTIONS = SEVERITIES.map((s) => ({ value: s, label: s }));
const URGENCY_OPTIONS = [
  { value: 'high', label: 'High: page now, day or night' },
  { value: 'low', label: 'Low: page within support hours' },
];

/** Opens an incident by hand; with a policy, its first level is paged at once. */
export function NewIncidentDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [severity, setSeverity] = useState<Severity>('SEV3');
  const [urgency, setUrgency] = useState<Urgency>('high');
  const [service, setService] = useState('');
  const [policy, setPolicy] = useState('');
  const [policies, setPolicies] = useState<string[] | null>(null);

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    resourceNames('EscalationPolicy', controller.signal).then(setPolicies, () => setPolicies([]));
    return () => controller.abort();
  }, [open]);

  async function submit() {
    const created = await incidentsApi.create({
      title: title.trim(),
      description: description.trim() || undefined,
      severity,
      urgency,
      service: service.trim() || undefined,
      policy: policy || undefined,
    });
    onClose();
    navigate(`/incidents/${created.number}`);
  }

  return (
    <Dialog open={open} title="New incident" onClose={onClose} wide testId="new-incident-dialog">
      <Form onSubmit={submit} submitLabel="Open incident" onCancel={onClose} testId="new-incident-form">
        <TextField
          name="title"
          label="Title"
          value={title}
          onChange={setTitle}
          placeholder="Checkout returns 500 for a third of requests"
          autoFocus
          testId="incident-title"
        />
        <TextArea
          name="description"
          label="Description"
          optional
          value={description}
          onChange={setDescription}
          placeholder="What is broken, since when, what you know so far."
          testId="incident-description"
        />
        <div className="form-grid">
          <Select
            name="severity"
            label="Severity"
            value={severity}
            onChange={(v) => setSeverity(v as Severity)}
            options={SEVERITY_OPTIONS}
            hint="SEV1 is the worst."
            testId="incident-severity-select"
          />
          <Select
            name="urgency"
            label="Urgency"
            value={urgency}
            onChange={(v) => setUrgency(v as Urgency)}
            options={URGENCY_OPTIONS}
            testId="incident-urgency-select"
          />
        </div>
        <div className="form-grid">
          <TextField
            name="service"
            label="Service"
            optional
            value={service}
            onChange={setService}
            placeholder="checkout"
            testId="incident-service"
          />
          <Select
            name="policy"
            label="Escalation policy"
            value={policy}
            onChange={setPolicy}
            options={[
              { value: '', label: policies === null ? 'Loading…' : 'None: nobody is paged' },
              ...(policies ?? []).map((p) => ({ value: p, label: p })),
            ]}
            hint="Who is paged, level by level, until someone acknowledges."
            testId="incident-policy"
          />
        </div>
      </Form>
    </Dialog>
  );
}
