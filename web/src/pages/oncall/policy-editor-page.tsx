import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import {
  Alert,
  Button,
  browserTimeZone,
  Card,
  Checkbox,
  ConfirmDialog,
  ErrorState,
  Form,
  Page,
  Select,
  TextField,
  TimeZoneField,
} from '../../ui';
import { type EscalationPolicySpec, WEEKDAYS, type Weekday } from './oncall-api';
import { fromRows, type LevelRow, LevelsEditor, newLevel, type Suggestions, toRows } from './policy-levels';
import { PolicyPreview } from './policy-preview';
import { resourceNames, resourcesApi } from './resources-api';
import '../incidents/incidents.css';
import './oncall.css';

const KIND = 'EscalationPolicy';

interface Draft {
  name: string;
  description: string;
  team: string;
  levels: LevelRow[];
  repeat: string;
  ackTimeout: string;
  autoResolve: boolean;
  urgency: 'high' | 'low';
  supportHours: boolean;
  shTimeZone: string;
  shDays: Weekday[];
  shStart: string;
  shEnd: string;
  channels: string[];
}

function draftOf(name: string, spec: EscalationPolicySpec | null): Draft {
  return {
    name,
    description: spec?.description ?? '',
    team: spec?.team ?? '',
    levels: spec ? toRows(spec.levels) : [newLevel('15')],
    repeat: String(spec?.repeat ?? 0),
    ackTimeout: spec?.ackTimeoutMinutes ? String(spec.ackTimeoutMinutes) : '',
    autoResolve: spec?.autoResolve ?? true,
    urgency: spec?.urgency ?? 'high',
    supportHours: Boolean(spec?.supportHours),
    shTimeZone: spec?.supportHours?.timeZone ?? browserTimeZone(),
    shDays: spec?.supportHours?.days ?? ['mon', 'tue', 'wed', 'thu', 'fri'],
    shStart: spec?.supportHours?.start ?? '09:00',
    shEnd: spec?.supportHours?.end ?? '17:00',
    channels: spec?.channels ?? [],
  };
}

const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));

function specOf(d: Draft): EscalationPolicySpec {
  return {
    ...(d.description.trim() ? { description: d.description.trim() } : {}),
    ...(d.team.trim() ? { team: d.team.trim() } : {}),
    levels: fromRows(d.levels),
    repeat: num(d.repeat),
    ...(d.ackTimeout.trim() ? { ackTimeoutMinutes: num(d.ackTimeout) } : {}),
    autoResolve: d.autoResolve,
    urgency: d.urgency,
    ...(d.supportHours
      ? { supportHours: { timeZone: d.shTimeZone.trim(), days: d.shDays, start: d.shStart, end: d.shEnd } }
      : {}),
    channels: d.channels,
  };
}

/** Creates or edits an escalation policy; saving applies it as an EscalationPolicy document. */
export function PolicyEditorPage() {
  const { name: param = 'new' } = useParams();
  const isNew = param === 'new';
  const navigate = useNavigate();
  const { user } = useCurrentUser();
  const canWrite = roleAtLeast(user.role, 'editor');
  const [draft, setDraft] = useState<Draft | null>(isNew ? draftOf('', null) : null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [suggestions, setSuggestions] = useState<Suggestions>({ schedules: [], channels: [] });
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [deleting, setDeleting] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([resourceNames('Schedule', controller.signal), resourceNames('Channel', controller.signal)]).then(
      ([schedules, channels]) => setSuggestions({ schedules, channels }),
      () => undefined,
    );
    if (!isNew) {
      resourcesApi.get<EscalationPolicySpec>(KIND, param, controller.signal).then(
        (doc) => setDraft(draftOf(doc.metadata.name, doc.spec)),
        (err: unknown) => {
          if (!controller.signal.aborted) setLoadError(err);
        },
      );
    }
    return () => controller.abort();
  }, [isNew, param]);

  const crumbs = [
    { label: 'On-call', to: '/oncall' },
    { label: 'Escalation policies', to: '/oncall/policies' },
  ];
  if (loadError) {
    return (
      <Page title={param} breadcrumbs={crumbs} testId="policy-editor">
        <ErrorState error={loadError} />
      </Page>
    );
  }
  if (!draft) return <div className="page muted">Loading…</div>;
  const d = draft;
  const set =
    <K extends keyof Draft>(key: K) =>
    (value: Draft[K]) => {
      setSavedAt(null);
      setDraft((prev) => (prev ? { ...prev, [key]: value } : prev));
    };

  async function save() {
    const result = await resourcesApi.applyOne(KIND, d.name.trim(), specOf(d));
    setSavedAt(Date.now());
    if (isNew) navigate(`/oncall/policies/${encodeURIComponent(d.name.trim())}`, { replace: true });
    return result;
  }

  return (
    <Page
      title={isNew ? 'New escalation policy' : <span className="mono-title">{param}</span>}
      breadcrumbs={crumbs}
      description="Who is paged, level by level, until someone acknowledges. Saving applies an EscalationPolicy document, the same as mainstay apply."
      actions={
        !isNew && canWrite ? (
          <Button variant="danger" onClick={() => setDeleting(true)} testId="delete-policy">
            Delete
          </Button>
        ) : null
      }
      testId="policy-editor"
    >
      <div className="policy-layout">
        <Card>
          <Form
            onSubmit={save}
            submitLabel={isNew ? 'Create policy' : 'Save policy'}
            submitDisabled={!canWrite}
            onCancel={() => navigate('/oncall/policies')}
            testId="policy-form"
          >
            {savedAt ? (
              <Alert tone="success" testId="policy-saved">
                Saved.
              </Alert>
            ) : null}
            {!canWrite ? <Alert tone="info">You need the editor role to change escalation policies.</Alert> : null}
            <div className="form-grid">
              <TextField
                name="metadata.name"
                label="Name"
                value={d.name}
                onChange={set('name')}
                disabled={!isNew}
                placeholder="web-critical"
                hint={
                  isNew ? 'Lowercase letters, digits, . _ and -. Incidents and routes refer to it by name.' : undefined
                }
                testId="policy-name"
              />
              <TextField name="team" label="Team" optional value={d.team} onChange={set('team')} placeholder="ops" />
            </div>
            <TextField
              name="description"
              label="Description"
              optional
              value={d.description}
              onChange={set('description')}
            />
            <fieldset className="fieldset-plain">
              <legend className="field-label">Levels</legend>
              <LevelsEditor levels={d.levels} onChange={set('levels')} suggestions={suggestions} />
            </fieldset>
            <div className="form-grid">
              <TextField
                name="repeat"
                label="Repeat"
                type="number"
                min={0}
                max={10}
                value={d.repeat}
                onChange={set('repeat')}
                hint="Times the whole policy starts over after the last level when nobody acknowledged."
                testId="policy-repeat"
              />
              <TextField
                name="ackTimeoutMinutes"
                label="Acknowledgement timeout (minutes)"
                optional
                type="number"
                min={1}
                value={d.ackTimeout}
                onChange={set('ackTimeout')}
                hint="An acknowledged incident not resolved in time goes back to triggered and escalates again."
              />
              <Select
                name="urgency"
                label="Urgency"
                value={d.urgency}
                onChange={(v) => set('urgency')(v as 'high' | 'low')}
                options={[
                  { value: 'high', label: 'High: page at any hour' },
                  { value: 'low', label: 'Low: page inside support hours' },
                ]}
                hint="Of incidents this policy opens from alerts."
              />
            </div>
            <Checkbox
              name="autoResolve"
              label="Resolve the incident when all its alerts have resolved"
              checked={d.autoResolve}
              onChange={set('autoResolve')}
            />
            <fieldset className="fieldset-plain">
              <legend className="field-label">Support hours</legend>
              <Checkbox
                name="supportHoursEnabled"
                label="Page low-urgency incidents only inside support hours"
                checked={d.supportHours}
                onChange={set('supportHours')}
              />
              {d.supportHours ? (
                <div className="support-hours">
                  <TimeZoneField name="supportHours.timeZone" value={d.shTimeZone} onChange={set('shTimeZone')} />
                  <fieldset className="fieldset-plain choice-fieldset">
                    <legend className="visually-hidden">Days</legend>
                    <div className="choice-group">
                      {WEEKDAYS.map((w) => (
                        <label key={w} className="choice">
                          <input
                            type="checkbox"
                            checked={d.shDays.includes(w)}
                            onChange={(e) =>
                              set('shDays')(
                                e.target.checked
                                  ? WEEKDAYS.filter((x) => x === w || d.shDays.includes(x))
                                  : d.shDays.filter((x) => x !== w),
                              )
                            }
                          />
                          {w}
                        </label>
                      ))}
                    </div>
                  </fieldset>
                  <div className="form-grid">
                    <TextField
                      name="supportHours.start"
                      label="From"
                      type="time"
                      value={d.shStart}
                      onChange={set('shStart')}
                    />
                    <TextField
                      name="supportHours.end"
                      label="Until"
                      type="time"
                      value={d.shEnd}
                      onChange={set('shEnd')}
                    />
                  </div>
                </div>
              ) : null}
            </fieldset>
            <fieldset className="fieldset-plain">
              <legend className="field-label">Channels told about every incident</legend>
              {suggestions.channels.length ? (
                <div className="choice-group" data-testid="policy-channels">
                  {suggestions.channels.map((c) => (
                    <label key={c} className="choice">
                      <input
                        type="checkbox"
                        checked={d.channels.includes(c)}
                        onChange={(e) =>
                          set('channels')(e.target.checked ? [...d.channels, c] : d.channels.filter((x) => x !== c))
                        }
                      />
                      {c}
                    </label>
                  ))}
                </div>
              ) : (
                <p className="muted card-note">No channels defined yet.</p>
              )}
              <p className="field-hint card-note">
                Opened, acknowledged and resolved updates go there without paging anyone.
              </p>
            </fieldset>
          </Form>
        </Card>
        {!isNew ? <PolicyPreview name={param} reloadKey={savedAt} /> : null}
      </div>
      <ConfirmDialog
        open={deleting}
        title={`Delete ${param}?`}
        confirmLabel="Delete policy"
        danger
        onConfirm={async () => {
          await resourcesApi.remove(KIND, param);
          navigate('/oncall/policies');
        }}
        onClose={() => setDeleting(false)}
      >
        <p>This deletes the EscalationPolicy resource, as removing it from your configuration and applying would.</p>
      </ConfirmDialog>
    </Page>
  );
}
