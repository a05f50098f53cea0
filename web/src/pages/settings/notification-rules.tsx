import { useEffect, useState } from 'react';
import { Alert, Button, Card, ErrorState, Form, Select, TextField } from '../../ui';
import { type ContactMethod, type NotificationRule, notifyApi, type RuleUrgency } from './notify-api';

interface RuleRow {
  key: number;
  urgency: RuleUrgency;
  delay: string;
  contact: string;
}

let nextKey = 1;
const row = (r?: Partial<Omit<RuleRow, 'key'>>): RuleRow => ({
  key: nextKey++,
  urgency: r?.urgency ?? 'any',
  delay: r?.delay ?? '0',
  contact: r?.contact ?? '',
});
const fromRules = (rules: NotificationRule[]) =>
  rules.map((r) => row({ urgency: r.urgency, delay: String(r.delayMinutes), contact: r.contactMethod }));

const URGENCY_OPTIONS = [
  { value: 'any', label: 'Any urgency' },
  { value: 'high', label: 'High urgency' },
  { value: 'low', label: 'Low urgency' },
];

/** The ordered rules: which contact method is used for which urgency, how many minutes after a page. */
export function NotificationRules({ contacts, reloadKey }: { contacts: ContactMethod[]; reloadKey: unknown }) {
  const [rows, setRows] = useState<RuleRow[] | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadKey and attempt only trigger a reload
  useEffect(() => {
    const controller = new AbortController();
    notifyApi.rules(controller.signal).then(
      (rules) => {
        setRows(fromRules(rules));
        setSaved(JSON.stringify(fromRules(rules).map(({ key: _k, ...r }) => r)));
        setError(null);
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setError(err);
      },
    );
    return () => controller.abort();
  }, [reloadKey, attempt]);

  const set = (i: number, patch: Partial<RuleRow>) =>
    setRows((rs) => rs?.map((r, j) => (j === i ? { ...r, ...patch } : r)) ?? rs);
  const move = (i: number, by: number) =>
    setRows((rs) => {
      if (!rs) return rs;
      const next = [...rs];
      const [r] = next.splice(i, 1);
      if (r) next.splice(i + by, 0, r);
      return next;
    });
  const current = JSON.stringify((rows ?? []).map(({ key: _k, ...r }) => r));
  const dirty = rows !== null && current !== saved;
  const contactOptions = [
    { value: '', label: 'Pick a contact method…' },
    ...contacts.map((c) => ({ value: c.name, label: `${c.name} (${c.channel})` })),
  ];

  return (
    <Card title="Notification rules">
      <p className="muted card-note">
        When you are paged, every rule for the incident's urgency fires after its delay, until you acknowledge. Start
        with a rule at 0 minutes, then add later ones as fallbacks.
      </p>
      {error && !rows ? <ErrorState error={error} onRetry={() => setAttempt((n) => n + 1)} /> : null}
      {rows ? (
        <Form
          onSubmit={async () => {
            const result = await notifyApi.setRules(
              rows.map((r) => ({
                urgency: r.urgency,
                delayMinutes: r.delay.trim() === '' ? Number.NaN : Number(r.delay),
                contactMethod: r.contact,
              })),
            );
            setRows(fromRules(result));
            setSaved(JSON.stringify(fromRules(result).map(({ key: _k, ...r }) => r)));
          }}
          submitLabel="Save rules"
          submitDisabled={!dirty}
          testId="rules-form"
        >
          {!rows.length ? (
            <Alert tone="warning" testId="rules-empty">
              No rules: being paged notifies you nowhere.
            </Alert>
          ) : null}
          <ol className="rules" data-testid="rules">
            {rows.map((r, i) => (
              <li key={r.key} className="rule-row" data-testid="rule-row">
                <span className="rule-index">{i + 1}.</span>
                <Select
                  name={`rules.${i}.urgency`}
                  label={<span className="visually-hidden">Urgency</span>}
                  value={r.urgency}
                  onChange={(v) => set(i, { urgency: v as RuleUrgency })}
                  options={URGENCY_OPTIONS}
                />
                <span className="rule-word">after</span>
                <div className="rule-delay">
                  <TextField
                    name={`rules.${i}.delayMinutes`}
                    label={<span className="visually-hidden">Delay in minutes</span>}
                    type="number"
                    min={0}
                    max={1440}
                    value={r.delay}
                    onChange={(v) => set(i, { delay: v })}
                  />
                </div>
                <span className="rule-word">min, notify</span>
                <Select
                  name={`rules.${i}.contactMethod`}
                  label={<span className="visually-hidden">Contact method</span>}
                  value={r.contact}
                  onChange={(v) => set(i, { contact: v })}
                  options={contactOptions}
                  testId="rule-contact"
                />
                <div className="rule-actions">
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={i === 0}
                    onClick={() => move(i, -1)}
                    aria-label={`Move rule ${i + 1} up`}
                  >
                    ↑
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    disabled={i === rows.length - 1}
                    onClick={() => move(i, 1)}
                    aria-label={`Move rule ${i + 1} down`}
                  >
                    ↓
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => setRows(rows.filter((_, j) => j !== i))}
                    aria-label={`Remove rule ${i + 1}`}
                  >
                    Remove
                  </Button>
                </div>
              </li>
            ))}
          </ol>
          <div>
            <Button
              size="sm"
              onClick={() =>
                setRows([...rows, row({ contact: contacts[0]?.name ?? '', delay: rows.length ? '5' : '0' })])
              }
              disabled={!contacts.length}
              testId="add-rule"
            >
              Add rule
            </Button>
          </div>
        </Form>
      ) : null}
    </Card>
  );
}
