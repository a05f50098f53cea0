import { Checkbox, Select, TextArea, TextField, TimeZoneField } from '../../../ui';
import type { DnsDraft, HeartbeatDraft, IcmpDraft, TcpDraft, TlsDraft } from './form-model';
import type { TargetProps } from './http-fields';

const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SOA', 'SRV'].map((v) => ({ value: v, label: v }));
const RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED'].map((v) => ({ value: v, label: v }));

export function TcpFields({ value: t, onChange }: TargetProps<TcpDraft>) {
  return (
    <fieldset className="fieldset">
      <legend className="fieldset-title">Connection</legend>
      <div className="form-grid form-grid-host">
        <TextField
          name="target.host"
          label="Host"
          value={t.host}
          onChange={(host) => onChange({ host })}
          placeholder="db.internal"
          spellCheck={false}
        />
        <TextField
          name="target.port"
          label="Port"
          type="number"
          min={1}
          max={65535}
          value={t.port}
          onChange={(port) => onChange({ port })}
        />
      </div>
      <Checkbox name="target.tls" label="Connect with TLS" checked={t.tls} onChange={(tls) => onChange({ tls })} />
      <div className="form-grid">
        <TextArea
          name="target.send"
          label="Send"
          value={t.send}
          onChange={(send) => onChange({ send })}
          optional
          hint="Text sent after connecting."
        />
        <TextArea
          name="target.expect"
          label="Expect"
          value={t.expect}
          onChange={(expect) => onChange({ expect })}
          optional
          hint="The reply (or the banner, when nothing is sent) must contain this."
        />
      </div>
    </fieldset>
  );
}

export function DnsFields({ value: t, onChange }: TargetProps<DnsDraft>) {
  return (
    <fieldset className="fieldset">
      <legend className="fieldset-title">Query</legend>
      <div className="form-grid form-grid-host">
        <TextField
          name="target.name"
          label="Name"
          value={t.name}
          onChange={(name) => onChange({ name })}
          placeholder="example.com"
          spellCheck={false}
        />
        <Select
          name="target.recordType"
          label="Record type"
          value={t.recordType}
          onChange={(recordType) => onChange({ recordType })}
          options={RECORD_TYPES}
        />
      </div>
      <div className="form-grid">
        <TextField
          name="target.resolver"
          label="Resolver"
          value={t.resolver}
          onChange={(resolver) => onChange({ resolver })}
          optional
          placeholder="1.1.1.1:53"
          hint="host or host:port; the system resolver when empty."
          spellCheck={false}
        />
        <Select
          name="target.expectRcode"
          label="Expected response code"
          value={t.expectRcode}
          onChange={(expectRcode) => onChange({ expectRcode })}
          options={RCODES}
        />
      </div>
      <TextArea
        name="target.expect"
        label="Expected values"
        value={t.expect}
        onChange={(expect) => onChange({ expect })}
        optional
        hint="One per line; each must be in the answer (A: 192.0.2.1, MX: 10 mail.example.com, TXT: the text)."
      />
    </fieldset>
  );
}

export function TlsFields({ value: t, onChange }: TargetProps<TlsDraft>) {
  return (
    <fieldset className="fieldset">
      <legend className="fieldset-title">Server</legend>
      <div className="form-grid form-grid-host">
        <TextField
          name="target.host"
          label="Host"
          value={t.host}
          onChange={(host) => onChange({ host })}
          placeholder="example.com"
          spellCheck={false}
        />
        <TextField
          name="target.port"
          label="Port"
          type="number"
          min={1}
          max={65535}
          value={t.port}
          onChange={(port) => onChange({ port })}
        />
      </div>
      <TextField
        name="target.serverName"
        label="Server name (SNI)"
        value={t.serverName}
        onChange={(serverName) => onChange({ serverName })}
        optional
        hint="The name the certificate must match; the host when empty."
        spellCheck={false}
      />
      <TextArea
        name="target.ca"
        label="Extra trusted CAs (PEM)"
        value={t.ca}
        onChange={(ca) => onChange({ ca })}
        optional
        placeholder="-----BEGIN CERTIFICATE-----"
      />
      <div className="form-grid">
        <TextField
          name="target.certificate.warnDays"
          label="Warn days before expiry"
          type="number"
          min={0}
          value={t.warnDays}
          onChange={(warnDays) => onChange({ warnDays })}
        />
        <TextField
          name="target.certificate.criticalDays"
          label="Critical days before expiry"
          type="number"
          min={0}
          value={t.criticalDays}
          onChange={(criticalDays) => onChange({ criticalDays })}
        />
      </div>
    </fieldset>
  );
}

export function IcmpFields({ value: t, onChange }: TargetProps<IcmpDraft>) {
  return (
    <fieldset className="fieldset">
      <legend className="fieldset-title">Ping</legend>
      <TextField
        name="target.host"
        label="Host"
        value={t.host}
        onChange={(host) => onChange({ host })}
        placeholder="192.0.2.10"
        spellCheck={false}
      />
      <div className="form-grid">
        <TextField
          name="target.count"
          label="Packets"
          type="number"
          min={1}
          max={20}
          value={t.count}
          onChange={(count) => onChange({ count })}
        />
        <TextField
          name="target.maxLossPercent"
          label="Max packet loss (%)"
          type="number"
          min={0}
          max={100}
          value={t.maxLossPercent}
          onChange={(maxLossPercent) => onChange({ maxLossPercent })}
        />
        <TextField
          name="target.maxRttMs"
          label="Max average RTT (ms)"
          type="number"
          min={0}
          value={t.maxRttMs}
          onChange={(maxRttMs) => onChange({ maxRttMs })}
          optional
        />
      </div>
    </fieldset>
  );
}

export function HeartbeatFields({ value: t, onChange }: TargetProps<HeartbeatDraft>) {
  return (
    <fieldset className="fieldset">
      <legend className="fieldset-title">Expected pings</legend>
      <div className="form-grid">
        <Select
          name="heartbeatSchedule"
          label="Schedule"
          value={t.schedule}
          onChange={(v) => onChange({ schedule: v === 'cron' ? 'cron' : 'period' })}
          options={[
            { value: 'period', label: 'Every N seconds' },
            { value: 'cron', label: 'On a cron schedule' },
          ]}
        />
        {t.schedule === 'period' ? (
          <TextField
            name="target.periodSeconds"
            label="Period (seconds)"
            type="number"
            min={5}
            value={t.periodSeconds}
            onChange={(periodSeconds) => onChange({ periodSeconds })}
            hint="A ping is expected at least this often."
          />
        ) : (
          <>
            <TextField
              name="target.cron"
              label="Cron expression"
              value={t.cron}
              onChange={(cron) => onChange({ cron })}
              placeholder="0 3 * * *"
              spellCheck={false}
              hint="When the job runs; a ping is expected at these times."
            />
            <TimeZoneField name="target.timeZone" value={t.timeZone} onChange={(timeZone) => onChange({ timeZone })} />
          </>
        )}
      </div>
      <div className="form-grid">
        <TextField
          name="target.graceSeconds"
          label="Grace (seconds)"
          type="number"
          min={0}
          value={t.graceSeconds}
          onChange={(graceSeconds) => onChange({ graceSeconds })}
          hint="How late a ping may be before the check is down."
        />
        <TextField
          name="target.maxRunSeconds"
          label="Max run time (seconds)"
          type="number"
          min={0}
          value={t.maxRunSeconds}
          onChange={(maxRunSeconds) => onChange({ maxRunSeconds })}
          hint="A run that sent /start but not its end within this is down; 0 means no limit."
        />
      </div>
    </fieldset>
  );
}
