import type { CertificateInfo } from '../../api/checks';
import { Badge, Time, type Tone } from '../../ui';

const EXPIRY_TONE: Record<CertificateInfo['expiry'], Tone> = {
  ok: 'success',
  warning: 'warning',
  critical: 'danger',
  expired: 'danger',
};

function daysLeft(days: number): string {
  if (days < 0) return `expired ${-days} day${days === -1 ? '' : 's'} ago`;
  return `${days} day${days === 1 ? '' : 's'} left`;
}

/** The certificate a TLS peer presented: who it names, who signed it, when it ends, whether it is trusted. */
export function CertificateView({ cert }: { cert: CertificateInfo }) {
  return (
    <dl className="dl" data-testid="certificate">
      <dt>Subject</dt>
      <dd className="mono">{cert.subject}</dd>
      <dt>Issuer</dt>
      <dd className="mono">{cert.issuer}</dd>
      <dt>Names (SAN)</dt>
      <dd>
        {cert.altNames.length ? (
          <span className="label-chips">
            {cert.altNames.map((n) => (
              <span key={n} className="label-chip">
                {n}
              </span>
            ))}
          </span>
        ) : (
          <span className="muted">none</span>
        )}
      </dd>
      <dt>Valid</dt>
      <dd>
        <Time value={cert.validFrom} /> – <Time value={cert.validTo} />
      </dd>
      <dt>Expiry</dt>
      <dd>
        <Badge tone={EXPIRY_TONE[cert.expiry]} testId="certificate-days-left">
          {daysLeft(cert.daysLeft)}
        </Badge>
      </dd>
      <dt>Chain</dt>
      <dd>
        {cert.chainValid ? (
          <Badge tone="success">trusted</Badge>
        ) : (
          <>
            <Badge tone="danger">not trusted</Badge>{' '}
            {cert.chainError ? <span className="mono">{cert.chainError}</span> : null}
          </>
        )}
      </dd>
      <dt>Host name</dt>
      <dd>
        {cert.hostnameMatches ? <Badge tone="success">matches</Badge> : <Badge tone="danger">does not match</Badge>}
      </dd>
      <dt>SHA-256</dt>
      <dd className="mono fingerprint">{cert.fingerprint256}</dd>
      <dt>Serial</dt>
      <dd className="mono">{cert.serialNumber}</dd>
    </dl>
  );
}
