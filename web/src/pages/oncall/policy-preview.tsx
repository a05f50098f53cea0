import { useCallback, useState } from 'react';
import { ApiError } from '../../api/client';
import { Card, ErrorState, Time } from '../../ui';
import { usePolled } from '../alerts/use-polled';
import { oncallApi } from './oncall-api';

/** Who each level of the saved policy would page right now (GET …/escalation-policies/:name/preview). */
export function PolicyPreview({ name, reloadKey }: { name: string; reloadKey: unknown }) {
  const [seen, setSeen] = useState(reloadKey);
  const load = useCallback((signal: AbortSignal) => oncallApi.preview(name, signal), [name]);
  const { data, error, reload } = usePolled(load, 60_000);
  if (seen !== reloadKey) {
    setSeen(reloadKey);
    reload();
  }
  return (
    <Card title="Who it pages now" className="policy-preview-card">
      {error && !(error instanceof ApiError && error.status === 404) ? (
        <ErrorState error={error} onRetry={reload} />
      ) : null}
      {error instanceof ApiError && error.status === 404 ? (
        <p className="muted card-note">Save the policy to see who it would page.</p>
      ) : null}
      {data ? (
        <>
          <ol className="preview-levels" data-testid="policy-preview">
            {data.levels.map((l) => (
              <li key={l.level} data-testid="preview-level">
                <span className="preview-level-title">Level {l.level + 1}</span>
                {l.users.map((u) => (
                  <span key={`${u.email}-${u.via}`} className="preview-target">
                    <strong>{u.name || u.email}</strong> <span className="muted">via {u.via.replace(':', ' ')}</span>
                  </span>
                ))}
                {l.channels.map((c) => (
                  <span key={c} className="preview-target">
                    channel <strong>{c}</strong>
                  </span>
                ))}
                {l.unreached.map((u) => (
                  <span key={u} className="preview-target preview-unreached">
                    ⚠ {u}
                  </span>
                ))}
                {!l.users.length && !l.channels.length && !l.unreached.length ? (
                  <span className="preview-target preview-unreached">nobody</span>
                ) : null}
              </li>
            ))}
          </ol>
          <p className="field-hint card-note">
            As saved, at <Time value={data.at} />. Unsaved changes are not previewed.
          </p>
        </>
      ) : null}
    </Card>
  );
}
