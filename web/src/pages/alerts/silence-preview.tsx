import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { ApiError, type FieldError } from '../../api/client';
import { ErrorAlert, Time, useDebounced } from '../../ui';
import { SeverityBadge } from './alert-badges';
import { type AlertView, silencesApi } from './alerts-api';

const SHOWN = 8;

export interface SilencePreviewProps {
  matchers: readonly string[];
  /** Field errors of the preview request (`matchers.N`), for the editor to show on its rows. */
  onFieldErrors?: ((fields: FieldError[]) => void) | undefined;
  title?: string | undefined;
}

/** Which firing alerts these matchers would silence, asked again 400 ms after the last edit. */
export function SilencePreview({ matchers, onFieldErrors, title = 'Preview' }: SilencePreviewProps) {
  const key = useDebounced(JSON.stringify(matchers), 400);
  const [result, setResult] = useState<{ total: number; items: AlertView[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const onFieldErrorsRef = useRef(onFieldErrors);
  onFieldErrorsRef.current = onFieldErrors;

  useEffect(() => {
    const list = JSON.parse(key) as string[];
    if (!list.length) {
      setResult(null);
      setError(null);
      onFieldErrorsRef.current?.([]);
      return;
    }
    // The POST cannot be aborted; a newer edit makes an older answer irrelevant.
    let current = true;
    setLoading(true);
    silencesApi.preview(list).then(
      (r) => {
        if (!current) return;
        setResult(r);
        setError(null);
        setLoading(false);
        onFieldErrorsRef.current?.([]);
      },
      (err: unknown) => {
        if (!current) return;
        setResult(null);
        setLoading(false);
        const fields = err instanceof ApiError && err.status === 400 ? err.fields : [];
        onFieldErrorsRef.current?.(fields);
        setError(fields.length ? null : err);
      },
    );
    return () => {
      current = false;
    };
  }, [key]);

  return (
    <section className="silence-preview" aria-live="polite" aria-busy={loading} data-testid="silence-preview">
      <h2 className="card-title">{title}</h2>
      {error ? <ErrorAlert error={error} /> : null}
      {!result && !error ? (
        <p className="muted" style={{ margin: 0 }}>
          {matchers.length
            ? loading
              ? 'Looking for matching alerts…'
              : 'Fix the matchers to see what they match.'
            : 'Add a matcher to see which firing alerts it silences.'}
        </p>
      ) : null}
      {result ? (
        <>
          <p className="silence-preview-count" data-testid="preview-count">
            <strong>{result.total}</strong> firing alert{result.total === 1 ? '' : 's'} match
            {result.total === 1 ? 'es' : ''}
            {result.total > SHOWN ? `; the ${SHOWN} seen last:` : result.total ? ':' : '.'}
          </p>
          <ul className="preview-list">
            {result.items.slice(0, SHOWN).map((a) => (
              <li key={a.id} data-testid="preview-alert">
                <SeverityBadge severity={a.severity} />
                <Link to={`/alerts/${encodeURIComponent(a.id)}`} className="preview-summary">
                  {a.summary}
                </Link>
                <Time value={a.lastSeenAt} relative />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
