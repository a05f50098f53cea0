import { Checkbox, Select, TextArea, TextField } from '../../../ui';
import type { HttpDraft } from './form-model';
import { JsonAssertions } from './json-assertions';
import { SecretField } from './secret-field';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => ({ value: m, label: m }));

export interface TargetProps<T> {
  value: T;
  onChange(patch: Partial<T>): void;
  secretNames: readonly string[];
}

/** Request, authentication, TLS and response assertions of an HTTP check. */
export function HttpFields({ value: t, onChange, secretNames }: TargetProps<HttpDraft>) {
  return (
    <>
      <fieldset className="fieldset">
        <legend className="fieldset-title">Request</legend>
        <div className="form-grid form-grid-url">
          <Select
            name="target.method"
            label="Method"
            value={t.method}
            onChange={(method) => onChange({ method })}
            options={METHODS}
          />
          <TextField
            name="target.url"
            label="URL"
            type="url"
            value={t.url}
            onChange={(url) => onChange({ url })}
            placeholder="https://example.com/health"
            spellCheck={false}
            testId="http-url"
          />
        </div>
        <TextArea
          name="target.headers"
          label="Headers"
          value={t.headers}
          onChange={(headers) => onChange({ headers })}
          placeholder={'Accept: application/json\nX-Probe: mainstay'}
          optional
          hint="One per line, Name: value."
        />
        <TextArea
          name="target.body"
          label="Body"
          value={t.body}
          onChange={(body) => onChange({ body })}
          optional
          rows={3}
          hint="Sent as is; set a Content-Type header to match."
        />
        <div className="form-grid form-grid-fill">
          <Select
            name="target.auth.type"
            label="Authentication"
            value={t.authType}
            onChange={(v) => onChange({ authType: v === 'basic' || v === 'bearer' ? v : '' })}
            options={[
              { value: '', label: 'None' },
              { value: 'basic', label: 'Basic (username and password)' },
              { value: 'bearer', label: 'Bearer token' },
            ]}
          />
          {t.authType === 'basic' ? (
            <>
              <TextField
                name="target.auth.username"
                label="Username"
                value={t.username}
                onChange={(username) => onChange({ username })}
                autoComplete="off"
              />
              <SecretField
                name="target.auth.passwordSecret"
                label="Password secret"
                value={t.passwordSecret}
                onChange={(passwordSecret) => onChange({ passwordSecret })}
                names={secretNames}
              />
            </>
          ) : null}
          {t.authType === 'bearer' ? (
            <SecretField
              name="target.auth.tokenSecret"
              label="Token secret"
              value={t.tokenSecret}
              onChange={(tokenSecret) => onChange({ tokenSecret })}
              names={secretNames}
            />
          ) : null}
        </div>
        <div className="form-grid form-grid-fill form-grid-end">
          <Checkbox
            name="target.followRedirects"
            label="Follow redirects"
            checked={t.followRedirects}
            onChange={(followRedirects) => onChange({ followRedirects })}
          />
          <TextField
            name="target.maxRedirects"
            label="Max redirects"
            type="number"
            min={0}
            max={20}
            value={t.maxRedirects}
            onChange={(maxRedirects) => onChange({ maxRedirects })}
            disabled={!t.followRedirects}
          />
        </div>
        <Checkbox
          name="target.tls.verify"
          label="Verify the TLS certificate"
          checked={t.tlsVerify}
          onChange={(tlsVerify) => onChange({ tlsVerify })}
          hint="Against the system CAs plus the bundle below."
        />
        <TextArea
          name="target.tls.ca"
          label="Extra trusted CAs (PEM)"
          value={t.tlsCa}
          onChange={(tlsCa) => onChange({ tlsCa })}
          placeholder="-----BEGIN CERTIFICATE-----"
          optional
          rows={3}
        />
      </fieldset>

      <fieldset className="fieldset">
        <legend className="fieldset-title">Response</legend>
        <div className="form-grid">
          <TextField
            name="target.expectStatus"
            label="Expected status"
            value={t.expectStatus}
            onChange={(expectStatus) => onChange({ expectStatus })}
            placeholder="200-299"
            hint="Comma list: 200, 2xx, 200-299."
            spellCheck={false}
          />
          <TextField
            name="target.maxResponseMs"
            label="Max response time (ms)"
            type="number"
            min={1}
            value={t.maxResponseMs}
            onChange={(maxResponseMs) => onChange({ maxResponseMs })}
            optional
          />
          <TextField
            name="target.maxBodyBytes"
            label="Max body bytes read"
            type="number"
            min={0}
            value={t.maxBodyBytes}
            onChange={(maxBodyBytes) => onChange({ maxBodyBytes })}
            hint="The rest is not downloaded."
          />
        </div>
        <div className="form-grid">
          <TextArea
            name="target.bodyContains"
            label="Body contains"
            value={t.bodyContains}
            onChange={(bodyContains) => onChange({ bodyContains })}
            optional
            hint="One text per line; every one must appear."
          />
          <TextArea
            name="target.bodyNotContains"
            label="Body does not contain"
            value={t.bodyNotContains}
            onChange={(bodyNotContains) => onChange({ bodyNotContains })}
            optional
            hint="One text per line; none may appear."
          />
        </div>
        <TextField
          name="target.bodyRegex"
          label="Body matches regex"
          value={t.bodyRegex}
          onChange={(bodyRegex) => onChange({ bodyRegex })}
          optional
          spellCheck={false}
          placeholder={'"status":\\s*"ok"'}
        />
        <JsonAssertions rows={t.json} onChange={(json) => onChange({ json })} />
      </fieldset>

      <fieldset className="fieldset">
        <legend className="fieldset-title">Certificate (https)</legend>
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
    </>
  );
}
