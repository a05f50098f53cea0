import type { ProbeResult, ProbeTimings } from '../../api/checks';
import { Badge, JsonBlock } from '../../ui';
import { CertificateView } from './certificate-view';
import { formatMs } from './check-format';

const TIMING_LABELS: [keyof ProbeTimings, string][] = [
  ['dnsMs', 'DNS'],
  ['connectMs', 'Connect'],
  ['tlsMs', 'TLS'],
  ['firstByteMs', 'First byte'],
  ['totalMs', 'Total'],
];

/** Phase durations as a waterfall: each bar starts where the phase before it ended, so the slow phase stands out. */
export function TimingsView({ timings }: { timings: ProbeTimings }) {
  const total = Math.max(timings.totalMs, 1);
  const pct = (ms: number) => `${Math.min(100, (ms / total) * 100)}%`;
  let start = 0;
  const rows = TIMING_LABELS.filter(([key]) => timings[key] !== undefined).map(([key, label]) => {
    const ms = timings[key] ?? 0;
    const offset = key === 'totalMs' ? 0 : start;
    if (key !== 'totalMs') start += ms;
    return { key, label, ms, offset };
  });
  return (
    <dl className="timings" data-testid="timings">
      {rows.map((r) => (
        <div key={r.key} className="timing-row">
          <dt>{r.label}</dt>
          <dd>
            <span className="timing-track">
              <span
                className={`timing-bar ${r.key === 'totalMs' ? 'timing-total' : ''}`}
                style={{ marginLeft: pct(r.offset), width: pct(r.ms) }}
              />
            </span>
            <span className="timing-value">{formatMs(r.ms)}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** Everything one probe run returned: outcome, message, failing phase, timings, details, certificate. */
export function ProbeResultView({ result }: { result: ProbeResult }) {
  const details = result.details && Object.keys(result.details).length ? result.details : null;
  return (
    <div className="stack" data-testid="probe-result">
      <div className="row">
        {result.ok ? (
          <Badge tone="success" testId="probe-outcome">
            ok
          </Badge>
        ) : (
          <Badge tone="danger" testId="probe-outcome">
            failed
          </Badge>
        )}
        <strong className="probe-message" data-testid="probe-message">
          {result.message}
        </strong>
        <span className="spacer" />
        <span className="muted nowrap">{formatMs(result.latencyMs)}</span>
      </div>
      {result.error ? (
        <p className="muted" style={{ margin: 0 }} data-testid="probe-error">
          Failed in phase <code>{result.error.phase}</code> with code <code>{result.error.code}</code>
        </p>
      ) : null}
      {result.timings ? (
        <section>
          <h3 className="section-label">Timings</h3>
          <TimingsView timings={result.timings} />
        </section>
      ) : null}
      {details ? (
        <section>
          <h3 className="section-label">Details</h3>
          <JsonBlock value={details} label="Details" testId="probe-details" />
        </section>
      ) : null}
      {result.certificate ? (
        <section>
          <h3 className="section-label">Certificate</h3>
          <CertificateView cert={result.certificate} />
        </section>
      ) : null}
    </div>
  );
}
