import { Checkbox, Select, TextArea, TextField } from '../../../ui';
import { type SqlDraft, type SshDraft, VALUE_OPS } from './form-model';
import type { TargetProps } from './http-fields';
import { SecretField } from './secret-field';

export function SqlFields({ value: t, onChange, secretNames }: TargetProps<SqlDraft>) {
  return (
    <>
      <fieldset className="fieldset">
        <legend className="fieldset-title">Database</legend>
        <div className="form-grid">
          <Select
            name="target.driver"
            label="Driver"
            value={t.driver}
            onChange={(driver) => onChange({ driver })}
            options={[
              { value: 'postgres', label: 'PostgreSQL' },
              { value: 'mysql', label: 'MySQL / MariaDB' },
            ]}
          />
          <SecretField
            name="target.connectionSecret"
            label="Connection URL secret (replaces host, database, user, password)"
            value={t.connectionSecret}
            onChange={(connectionSecret) => onChange({ connectionSecret })}
            names={secretNames}
            optional
          />
          <TextField
            name="target.host"
            label="Host"
            value={t.host}
            onChange={(host) => onChange({ host })}
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
            optional
            placeholder={t.driver === 'mysql' ? '3306' : '5432'}
          />
        </div>
        <div className="form-grid">
          <TextField
            name="target.database"
            label="Database"
            value={t.database}
            onChange={(database) => onChange({ database })}
            spellCheck={false}
          />
          <TextField
            name="target.username"
            label="Username"
            value={t.username}
            onChange={(username) => onChange({ username })}
            autoComplete="off"
            spellCheck={false}
          />
          <SecretField
            name="target.passwordSecret"
            label="Password secret"
            value={t.passwordSecret}
            onChange={(passwordSecret) => onChange({ passwordSecret })}
            names={secretNames}
            optional
          />
        </div>
        <Checkbox name="target.tls" label="Connect with TLS" checked={t.tls} onChange={(tls) => onChange({ tls })} />
      </fieldset>
      <fieldset className="fieldset">
        <legend className="fieldset-title">Query and expectation</legend>
        <TextArea
          name="target.query"
          label="Query"
          value={t.query}
          onChange={(query) => onChange({ query })}
          rows={3}
        />
        <div className="form-grid">
          <TextField
            name="target.expectRows"
            label="Expected row count"
            type="number"
            min={0}
            value={t.expectRows}
            onChange={(expectRows) => onChange({ expectRows })}
            optional
          />
          <Select
            name="target.expectValue.op"
            label="First value"
            value={t.expectOp}
            onChange={(expectOp) => onChange({ expectOp })}
            options={[{ value: '', label: 'Not checked' }, ...VALUE_OPS.map((op) => ({ value: op, label: op }))]}
            hint="Compares the first column of the first row."
          />
          <TextField
            name="target.expectValue.value"
            label="Value"
            value={t.expectValue}
            onChange={(expectValue) => onChange({ expectValue })}
            disabled={!t.expectOp}
            hint={'42, true, null, or text ("42" for text).'}
            spellCheck={false}
          />
        </div>
      </fieldset>
    </>
  );
}

export function SshFields({ value: t, onChange, secretNames }: TargetProps<SshDraft>) {
  return (
    <>
      <fieldset className="fieldset">
        <legend className="fieldset-title">Connection</legend>
        <div className="form-grid">
          <TextField
            name="target.host"
            label="Host"
            value={t.host}
            onChange={(host) => onChange({ host })}
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
          <TextField
            name="target.username"
            label="Username"
            value={t.username}
            onChange={(username) => onChange({ username })}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <TextField
          name="target.hostKey"
          label="Host key fingerprint"
          value={t.hostKey}
          onChange={(hostKey) => onChange({ hostKey })}
          placeholder="SHA256:…"
          spellCheck={false}
          hint={
            <>
              Pinned, no trust on first use: <code>ssh-keyscan host | ssh-keygen -lf -</code> prints it.
            </>
          }
        />
        <div className="form-grid">
          <SecretField
            name="target.passwordSecret"
            label="Password secret"
            value={t.passwordSecret}
            onChange={(passwordSecret) => onChange({ passwordSecret })}
            names={secretNames}
            optional
          />
          <SecretField
            name="target.privateKeySecret"
            label="Private key secret"
            value={t.privateKeySecret}
            onChange={(privateKeySecret) => onChange({ privateKeySecret })}
            names={secretNames}
            optional
          />
        </div>
        <p className="field-hint" style={{ margin: 0 }}>
          Set a password secret, a private key secret, or both.
        </p>
      </fieldset>
      <fieldset className="fieldset">
        <legend className="fieldset-title">Command and expectation</legend>
        <TextArea
          name="target.command"
          label="Command"
          value={t.command}
          onChange={(command) => onChange({ command })}
          rows={2}
        />
        <div className="form-grid">
          <TextField
            name="target.expectExitCode"
            label="Expected exit code"
            type="number"
            min={0}
            max={255}
            value={t.expectExitCode}
            onChange={(expectExitCode) => onChange({ expectExitCode })}
          />
          <TextField
            name="target.stdoutContains"
            label="Stdout contains"
            value={t.stdoutContains}
            onChange={(stdoutContains) => onChange({ stdoutContains })}
            optional
          />
          <TextField
            name="target.stdoutRegex"
            label="Stdout matches regex"
            value={t.stdoutRegex}
            onChange={(stdoutRegex) => onChange({ stdoutRegex })}
            optional
            spellCheck={false}
          />
          <TextField
            name="target.stderrContains"
            label="Stderr contains"
            value={t.stderrContains}
            onChange={(stderrContains) => onChange({ stderrContains })}
            optional
          />
        </div>
      </fieldset>
    </>
  );
}
