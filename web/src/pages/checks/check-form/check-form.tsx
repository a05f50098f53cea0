import { type ReactNode, useMemo, useState } from 'react';
import { CHECK_KINDS, type Check, type CheckKind, checks, SEVERITIES, type Severity } from '../../../api/checks';
import { KIND_DESCRIPTIONS, KIND_LABELS } from '../../../features/checks/check-format';
import { Button, Card, Checkbox, Form, Select, TextArea, TextField } from '../../../ui';
import { type CheckDraft, type TargetDrafts, toBody } from './form-model';
import { HttpFields } from './http-fields';
import { DnsFields, HeartbeatFields, IcmpFields, TcpFields, TlsFields } from './network-fields';
import { SqlFields, SshFields } from './remote-fields';
import { useSecretNames } from './secret-field';

/** The first step of a new check: what kind of probe it is. */
export function KindPicker({ onPick }: { onPick(kind: CheckKind): void }) {
  return (
    <div className="kind-grid" data-testid="kind-picker">
      {CHECK_KINDS.map((k) => (
        <button key={k} type="button" className="kind-option" onClick={() => onPick(k)} data-testid={`kind-${k}`}>
          <span className="kind-option-title">{KIND_LABELS[k]}</span>
          <span className="kind-option-text">{KIND_DESCRIPTIONS[k]}</span>
        </button>
      ))}
    </div>
  );
}

/** API paths that name a group of inputs, pointed at the first input of the group. */
function groupPaths(d: CheckDraft): Record<string, string> {
  const map: Record<string, string> = {
    flapping: 'flapping.low',
    'target.certificate': 'target.certificate.warnDays',
    'target.auth': 'target.auth.type',
    'target.expectValue': 'target.expectValue.op',
  };
  if (d.kind === 'http') {
    map['target.tls'] = 'target.tls.verify';
    d.targets.http.json.forEach((_, i) => {
      map[`target.json.${i}`] = `target.json.${i}.path`;
    });
  }
  if (d.kind === 'heartbeat') {
    // "set exactly one of periodSeconds and cron" is reported on periodSeconds; show it on the input on screen.
    if (d.targets.heartbeat.schedule === 'cron') map['target.periodSeconds'] = 'target.cron';
  }
  return map;
}

export interface CheckFormProps {
  initial: CheckDraft;
  /** The check being edited; a new one is created when absent. */
  existing?: Check | undefined;
  onSaved(check: Check): void;
  onCancel(): void;
  /** Creating only: back to the kind picker. */
  onChangeKind?: (() => void) | undefined;
}

/** Create or edit a check of any kind: common settings, then the kind's target fields. */
export function CheckForm({ initial, existing, onSaved, onCancel, onChangeKind }: CheckFormProps) {
  const [d, setD] = useState(initial);
  const secretNames = useSecretNames();
  const set = (patch: Partial<CheckDraft>) => setD((prev) => ({ ...prev, ...patch }));
  function target<K extends CheckKind>(kind: K) {
    return {
      value: d.targets[kind],
      secretNames,
      onChange: (patch: Partial<TargetDrafts[K]>) =>
        setD((prev) => ({ ...prev, targets: { ...prev.targets, [kind]: { ...prev.targets[kind], ...patch } } })),
    };
  }
  const pathToField = useMemo(() => groupPaths(d), [d]);

  const fields: Record<CheckKind, ReactNode> = {
    http: <HttpFields {...target('http')} />,
    tcp: <TcpFields {...target('tcp')} />,
    dns: <DnsFields {...target('dns')} />,
    tls: <TlsFields {...target('tls')} />,
    icmp: <IcmpFields {...target('icmp')} />,
    heartbeat: <HeartbeatFields {...target('heartbeat')} />,
    sql: <SqlFields {...target('sql')} />,
    ssh: <SshFields {...target('ssh')} />,
  };

  return (
    <Form
      submitLabel={existing ? 'Save check' : 'Create check'}
      onCancel={onCancel}
      pathToField={pathToField}
      testId="check-form"
      className="check-form"
      onSubmit={async () => {
        const body = toBody(d);
        onSaved(existing ? await checks.update(existing.id, body) : await checks.create(body));
      }}
    >
      <Card title="Check">
        <div className="stack">
          <div className="row kind-line">
            <span className="field-label">Kind</span>
            <span className="badge badge-info" data-testid="form-kind">
              {KIND_LABELS[d.kind]}
            </span>
            <span className="muted">{KIND_DESCRIPTIONS[d.kind]}</span>
            {onChangeKind ? (
              <Button size="sm" variant="ghost" onClick={onChangeKind}>
                Change kind
              </Button>
            ) : null}
          </div>
          <div className="form-grid">
            <TextField
              name="name"
              label="Name"
              value={d.name}
              onChange={(name) => set({ name })}
              disabled={Boolean(existing)}
              placeholder="shop-frontend"
              spellCheck={false}
              autoComplete="off"
              hint={existing ? 'The name cannot change.' : 'Lowercase letters, digits, . _ -'}
              autoFocus={!existing}
            />
            <TextField
              name="runbookUrl"
              label="Runbook URL"
              type="url"
              value={d.runbookUrl}
              onChange={(runbookUrl) => set({ runbookUrl })}
              optional
              placeholder="https://wiki.example.com/runbooks/shop"
            />
          </div>
          <div className="form-grid">
            <TextArea
              name="description"
              label="Description"
              value={d.description}
              onChange={(description) => set({ description })}
              optional
              hint="What this check watches and what to do when it fails."
            />
            <TextArea
              name="labels"
              label="Labels"
              value={d.labels}
              onChange={(labels) => set({ labels })}
              optional
              placeholder={'team=payments\nenv=prod'}
              hint="One key=value per line; alerts carry them for routing."
            />
          </div>
        </div>
      </Card>

      <Card title={`${KIND_LABELS[d.kind]} target`}>
        <div className="stack">{fields[d.kind]}</div>
      </Card>

      <Card title="Schedule and alerting">
        <div className="stack">
          <div className="form-grid">
            <TextField
              name="intervalSeconds"
              label="Interval (seconds)"
              type="number"
              min={5}
              value={d.intervalSeconds}
              onChange={(intervalSeconds) => set({ intervalSeconds })}
              hint={d.kind === 'heartbeat' ? 'How often the ping deadline is evaluated.' : 'How often it runs.'}
            />
            <TextField
              name="timeoutSeconds"
              label="Timeout (seconds)"
              type="number"
              min={0.1}
              step="any"
              value={d.timeoutSeconds}
              onChange={(timeoutSeconds) => set({ timeoutSeconds })}
              hint="Shorter than the interval."
            />
            <TextField
              name="retries"
              label="Retries"
              type="number"
              min={0}
              max={20}
              value={d.retries}
              onChange={(retries) => set({ retries })}
              hint="Failures in a row that are tolerated before it is down."
            />
            <TextField
              name="recoveryThreshold"
              label="Recovery threshold"
              type="number"
              min={1}
              max={20}
              value={d.recoveryThreshold}
              onChange={(recoveryThreshold) => set({ recoveryThreshold })}
              hint="Successes in a row before a down check is up."
            />
          </div>
          <div className="form-grid">
            <Select
              name="severity"
              label="Severity"
              value={d.severity}
              onChange={(v) =>
                set({ severity: (SEVERITIES as readonly string[]).includes(v) ? (v as Severity) : 'critical' })
              }
              options={SEVERITIES.map((s) => ({ value: s, label: s }))}
            />
            <TextField
              name="dependsOn"
              label="Depends on"
              value={d.dependsOn}
              onChange={(dependsOn) => set({ dependsOn })}
              optional
              placeholder="core-router, dns-primary"
              spellCheck={false}
              hint="Check names, comma separated; alerts are held back while one of them is down."
            />
            <TextField
              name="flapping.low"
              label="Flapping ends below (%)"
              type="number"
              min={0}
              max={100}
              value={d.flappingLow}
              onChange={(flappingLow) => set({ flappingLow })}
            />
            <TextField
              name="flapping.high"
              label="Flapping starts above (%)"
              type="number"
              min={0}
              max={100}
              value={d.flappingHigh}
              onChange={(flappingHigh) => set({ flappingHigh })}
              hint="State changes over the last 21 results."
            />
          </div>
          <Checkbox
            name="enabled"
            label="Enabled"
            checked={d.enabled}
            onChange={(enabled) => set({ enabled })}
            hint="A disabled check keeps its history but is not scheduled."
          />
        </div>
      </Card>
    </Form>
  );
}
