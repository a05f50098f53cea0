import { useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import type { FieldError } from '../../api/client';
import { Card, Form, formatDateTime, formatRelative, Page, TextArea, TextField } from '../../ui';
import { formatMatcher, parseMatcher, splitMatcherList } from './alert-format';
import { type NewSilence, silencesApi } from './alerts-api';
import { type MatcherRow, MatcherRows, newRow } from './matcher-rows';
import { SilencePreview } from './silence-preview';
import './alerts.css';

const PRESETS = [
  { value: '1h', label: '1 hour', ms: 3_600_000 },
  { value: '2h', label: '2 hours', ms: 7_200_000 },
  { value: '1d', label: '1 day', ms: 86_400_000 },
] as const;
type DurationChoice = (typeof PRESETS)[number]['value'] | 'custom';

/** `matcher` query params (each a matcher or a `{a="1",b="2"}` list) as editor rows. */
function initialRows(params: URLSearchParams): MatcherRow[] {
  const rows = params
    .getAll('matcher')
    .flatMap(splitMatcherList)
    .map((text) => newRow(parseMatcher(text) ?? { name: text }));
  return rows.length ? rows : [newRow()];
}

/** `2026-11-21T14:30` in local time, as a datetime-local input wants it. */
function localInputValue(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** A new silence: matchers, how long, why; shows live which firing alerts it would hold. */
export function SilenceEditorPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [rows, setRows] = useState<MatcherRow[]>(() => initialRows(params));
  const [duration, setDuration] = useState<DurationChoice>('2h');
  const [customEnd, setCustomEnd] = useState(() => localInputValue(Date.now() + 4 * 3_600_000));
  const [comment, setComment] = useState('');
  const [previewErrors, setPreviewErrors] = useState<ReadonlyMap<number, string>>(new Map());

  // Rows with a label name are matchers; `sent[k]` is the row index of the k-th matcher sent.
  const { matchers, sent } = useMemo(() => {
    const complete = rows.map((r, i) => ({ r, i })).filter(({ r }) => r.name.trim() !== '');
    return {
      matchers: complete.map(({ r }) => formatMatcher({ ...r, name: r.name.trim() })),
      sent: complete.map(({ i }) => i),
    };
  }, [rows]);
  const pathToField = useMemo(
    () => Object.fromEntries(sent.map((rowIndex, k) => [`matchers.${k}`, `matchers.${rowIndex}`])),
    [sent],
  );

  const onPreviewErrors = (fields: FieldError[]) => {
    const byRow = new Map<number, string>();
    for (const f of fields) {
      const k = /^matchers\.(\d+)/.exec(f.path)?.[1];
      const row = k === undefined ? undefined : sent[Number(k)];
      if (row !== undefined) byRow.set(row, f.message);
    }
    setPreviewErrors(byRow);
  };

  const preset = PRESETS.find((p) => p.value === duration);
  const endsAtMs = preset ? Date.now() + preset.ms : Date.parse(customEnd);
  const endsIso = Number.isNaN(endsAtMs) ? null : new Date(endsAtMs).toISOString();

  async function submit() {
    const body: NewSilence = { matchers, comment: comment.trim() };
    if (preset) body.duration = preset.value;
    // An empty or unreadable custom end goes as-is, so the server names the field.
    else body.endsAt = endsIso ?? customEnd;
    const created = await silencesApi.create(body);
    navigate(`/alerts/silences/${encodeURIComponent(created.name)}`);
  }

  return (
    <Page
      title="New silence"
      breadcrumbs={[
        { label: 'Alerts', to: '/alerts' },
        { label: 'Silences', to: '/alerts/silences' },
      ]}
      description="Holds the notifications of every alert whose labels match all of these matchers, starting now. The alerts stay visible, marked suppressed."
      testId="silence-editor"
    >
      <div className="silence-layout">
        <Card>
          <Form
            onSubmit={submit}
            submitLabel="Create silence"
            onCancel={() => (window.history.length > 1 ? navigate(-1) : navigate('/alerts/silences'))}
            pathToField={pathToField}
            testId="silence-form"
          >
            <fieldset className="fieldset-plain">
              <legend className="field-label">Matchers</legend>
              <MatcherRows
                rows={rows}
                onChange={(next) => {
                  setRows(next);
                  setPreviewErrors(new Map());
                }}
                errors={previewErrors}
              />
            </fieldset>
            <fieldset className="fieldset-plain">
              <legend className="field-label">Duration</legend>
              <div className="choice-group">
                {[...PRESETS, { value: 'custom' as const, label: 'Custom end' }].map((p) => (
                  <label key={p.value} className="choice" data-testid={`duration-${p.value}`}>
                    <input
                      type="radio"
                      name="duration"
                      value={p.value}
                      checked={duration === p.value}
                      onChange={() => setDuration(p.value)}
                    />
                    {p.label}
                  </label>
                ))}
              </div>
              {duration === 'custom' ? (
                <TextField
                  name="endsAt"
                  label="Ends at"
                  type="datetime-local"
                  value={customEnd}
                  onChange={setCustomEnd}
                  hint="Your local time."
                  testId="silence-ends-at"
                />
              ) : null}
              <p className="field-hint" style={{ margin: 0 }} data-testid="silence-ends">
                {endsIso ? `Ends ${formatDateTime(endsIso)} (${formatRelative(endsIso)}).` : 'Pick when it ends.'}
              </p>
            </fieldset>
            <TextArea
              name="comment"
              label="Comment"
              value={comment}
              onChange={setComment}
              placeholder="Why: the change or incident this is for, and who to ask."
              testId="silence-comment"
            />
          </Form>
        </Card>
        <Card className="silence-preview-card">
          <SilencePreview matchers={matchers} onFieldErrors={onPreviewErrors} />
        </Card>
      </div>
    </Page>
  );
}
