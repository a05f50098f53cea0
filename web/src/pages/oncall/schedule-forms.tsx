import { useEffect, useId, useState } from 'react';
import { Alert, Button, Checkbox, CopyButton, Dialog, ErrorAlert, Form, TextField } from '../../ui';
import { oncallApi } from './oncall-api';
import { fromZonedInput, toZonedInput } from './zone-time';

/** An email input that suggests the schedule's participants. */
function PersonField({
  name,
  label,
  value,
  onChange,
  people,
  testId,
}: {
  name: string;
  label: string;
  value: string;
  onChange(v: string): void;
  people: readonly string[];
  testId?: string;
}) {
  const listId = useId();
  return (
    <>
      <TextField
        name={name}
        label={label}
        type="email"
        value={value}
        onChange={onChange}
        list={listId}
        autoComplete="off"
        placeholder="name@example.com"
        testId={testId}
      />
      <datalist id={listId}>
        {people.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
    </>
  );
}

function ZonedField({
  name,
  label,
  value,
  onChange,
  zone,
  testId,
}: {
  name: string;
  label: string;
  value: string;
  onChange(v: string): void;
  zone: string;
  testId?: string;
}) {
  return (
    <TextField
      name={name}
      label={label}
      type="datetime-local"
      value={value}
      onChange={onChange}
      hint={`Wall clock in ${zone}.`}
      testId={testId}
    />
  );
}

/** The next full hour, and eight hours after it, on the zone's wall clock. */
function defaultRange(zone: string): [string, string] {
  const start = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
  return [toZonedInput(zone, start), toZonedInput(zone, start + 8 * 3_600_000)];
}

export interface ScheduleFormProps {
  schedule: string;
  zone: string;
  people: readonly string[];
  onClose(): void;
  onSaved(): void;
}

/** Someone covers a range; wins over every layer. */
export function OverrideDialog({ schedule, zone, people, onClose, onSaved }: ScheduleFormProps) {
  const [initialStart, initialEnd] = defaultRange(zone);
  const [user, setUser] = useState('');
  const [start, setStart] = useState(initialStart);
  const [end, setEnd] = useState(initialEnd);
  const [reason, setReason] = useState('');
  return (
    <Dialog open title="Add an override" onClose={onClose} testId="override-dialog">
      <Form
        onSubmit={async () => {
          await oncallApi.addOverride(schedule, {
            user: user.trim(),
            start: fromZonedInput(zone, start) || start,
            end: fromZonedInput(zone, end) || end,
            reason: reason.trim(),
          });
          onSaved();
          onClose();
        }}
        submitLabel="Add override"
        onCancel={onClose}
        testId="override-form"
      >
        <PersonField
          name="user"
          label="Who covers"
          value={user}
          onChange={setUser}
          people={people}
          testId="override-user"
        />
        <div className="form-grid">
          <ZonedField name="start" label="From" value={start} onChange={setStart} zone={zone} testId="override-start" />
          <ZonedField name="end" label="Until" value={end} onChange={setEnd} zone={zone} testId="override-end" />
        </div>
        <TextField
          name="reason"
          label="Reason"
          optional
          value={reason}
          onChange={setReason}
          placeholder="Covering for a dentist appointment"
          testId="override-reason"
        />
      </Form>
    </Dialog>
  );
}

/** `to` takes `from`'s shifts in a range, and optionally gives theirs back in another. */
export function SwapDialog({ schedule, zone, people, onClose, onSaved }: ScheduleFormProps) {
  const [initialStart, initialEnd] = defaultRange(zone);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [start, setStart] = useState(initialStart);
  const [end, setEnd] = useState(initialEnd);
  const [twoWay, setTwoWay] = useState(false);
  const [returnStart, setReturnStart] = useState(initialStart);
  const [returnEnd, setReturnEnd] = useState(initialEnd);
  const [reason, setReason] = useState('');
  return (
    <Dialog open title="Swap shifts" onClose={onClose} wide testId="swap-dialog">
      <Form
        onSubmit={async () => {
          await oncallApi.addSwap(schedule, {
            from: from.trim(),
            to: to.trim(),
            start: fromZonedInput(zone, start) || start,
            end: fromZonedInput(zone, end) || end,
            ...(twoWay
              ? {
                  returnStart: fromZonedInput(zone, returnStart) || returnStart,
                  returnEnd: fromZonedInput(zone, returnEnd) || returnEnd,
                }
              : {}),
            reason: reason.trim(),
          });
          onSaved();
          onClose();
        }}
        submitLabel="Swap"
        onCancel={onClose}
        testId="swap-form"
      >
        <div className="form-grid">
          <PersonField
            name="from"
            label="Gives away their shifts"
            value={from}
            onChange={setFrom}
            people={people}
            testId="swap-from"
          />
          <PersonField name="to" label="Takes them" value={to} onChange={setTo} people={people} testId="swap-to" />
        </div>
        <div className="form-grid">
          <ZonedField name="start" label="From" value={start} onChange={setStart} zone={zone} />
          <ZonedField name="end" label="Until" value={end} onChange={setEnd} zone={zone} />
        </div>
        <Checkbox
          name="twoWay"
          label="Two-way: they give shifts back in another range"
          checked={twoWay}
          onChange={setTwoWay}
        />
        {twoWay ? (
          <div className="form-grid">
            <ZonedField
              name="returnStart"
              label="Back from"
              value={returnStart}
              onChange={setReturnStart}
              zone={zone}
            />
            <ZonedField name="returnEnd" label="Back until" value={returnEnd} onChange={setReturnEnd} zone={zone} />
          </div>
        ) : null}
        <TextField name="reason" label="Reason" optional value={reason} onChange={setReason} />
      </Form>
    </Dialog>
  );
}

/** A secret iCalendar URL: shown with a copy button; created or rotated on demand. */
export function FeedDialog({
  title,
  schedule,
  onClose,
}: {
  title: string;
  /** The schedule's feed; without it, the signed-in person's own feed of all their shifts. */
  schedule?: string | undefined;
  onClose(): void;
}) {
  const [url, setUrl] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    (schedule ? oncallApi.scheduleFeed(schedule) : oncallApi.myFeed()).then(
      (r) => setUrl(r.url),
      (err: unknown) => setError(err),
    );
  }, [schedule]);
  async function doRotate() {
    setBusy(true);
    setError(null);
    try {
      setUrl((await (schedule ? oncallApi.rotateScheduleFeed(schedule) : oncallApi.rotateMyFeed())).url);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog open title={title} onClose={onClose} wide testId="feed-dialog">
      <div className="stack">
        <p className="muted feed-text">
          Subscribe to this address in Google Calendar, Outlook or Apple Calendar. It is a secret: anyone with it can
          read the shifts. Rotating it makes the old address stop working.
        </p>
        {error ? <ErrorAlert error={error} /> : null}
        {url === undefined && !error ? <p className="muted">Loading…</p> : null}
        {url === null ? <Alert>No feed address yet.</Alert> : null}
        {url ? (
          <div className="secret-box">
            <input
              className="field-input secret-value"
              readOnly
              value={url}
              aria-label="Feed address"
              data-testid="feed-url"
            />
            <CopyButton text={url} testId="feed-copy" />
          </div>
        ) : null}
        <div className="form-actions">
          <Button onClick={onClose}>Close</Button>
          {url !== undefined ? (
            <Button variant={url ? 'secondary' : 'primary'} busy={busy} onClick={doRotate} testId="feed-rotate">
              {url ? 'Rotate address' : 'Create address'}
            </Button>
          ) : null}
        </div>
      </div>
    </Dialog>
  );
}
