import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { type Check, checks, type ProbeResult } from '../../api/checks';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import { CertificateView } from '../../features/checks/certificate-view';
import { formatMs, KIND_LABELS } from '../../features/checks/check-format';
import { EventLog } from '../../features/checks/event-log';
import { HeartbeatCard } from '../../features/checks/heartbeat-card';
import { ProbeResultView } from '../../features/checks/probe-result-view';
import { ResponseChart } from '../../features/checks/response-chart';
import { ResultLog } from '../../features/checks/result-log';
import { CheckStatusBadge } from '../../features/checks/status-badge';
import { targetSummary } from '../../features/checks/target-summary';
import { UptimeWindows } from '../../features/checks/uptime-windows';
import { Button, Card, ConfirmDialog, Dialog, ErrorAlert, ErrorState, JsonBlock, Page, Time } from '../../ui';

function StateCard({ check }: { check: Check }) {
  const s = check.state;
  return (
    <Card title="Current state">
      <dl className="dl" data-testid="check-state">
        <dt>Status</dt>
        <dd>
          <CheckStatusBadge state={s} />{' '}
          {s.since ? (
            <span className="muted">
              since <Time value={s.since} relative />
            </span>
          ) : null}
        </dd>
        <dt>Last checked</dt>
        <dd>
          <Time value={s.lastCheckedAt} relative empty="never" />
          {s.lastLatencyMs !== null ? <span className="muted"> · {formatMs(s.lastLatencyMs)}</span> : null}
        </dd>
        <dt>Last message</dt>
        <dd>{s.lastMessage ?? <span className="muted">—</span>}</dd>
        <dt>In a row</dt>
        <dd>
          {s.consecutiveFailures > 0
            ? `${s.consecutiveFailures} failure${s.consecutiveFailures === 1 ? '' : 's'}`
            : `${s.consecutiveSuccesses} success${s.consecutiveSuccesses === 1 ? '' : 'es'}`}
        </dd>
        <dt>Flapping</dt>
        <dd>
          {Math.round(s.flapPercent)}% state changes{' '}
          <span className="muted">
            (flapping above {check.flapping.high}%, stops below {check.flapping.low}%)
          </span>
        </dd>
      </dl>
    </Card>
  );
}

function SettingsCard({ check }: { check: Check }) {
  return (
    <Card title="Settings">
      <dl className="dl" data-testid="check-settings">
        {check.description ? (
          <>
            <dt>Description</dt>
            <dd className="pre-line">{check.description}</dd>
          </>
        ) : null}
        {check.runbookUrl ? (
          <>
            <dt>Runbook</dt>
            <dd>
              <a href={check.runbookUrl} target="_blank" rel="noopener noreferrer">
                {check.runbookUrl}
              </a>
            </dd>
          </>
        ) : null}
        <dt>Schedule</dt>
        <dd>
          every {check.intervalSeconds} s, timeout {check.timeoutSeconds} s{check.enabled ? '' : ' (disabled)'}
        </dd>
        <dt>Confirmation</dt>
        <dd>
          down after {check.retries + 1} failure{check.retries ? 's' : ''} in a row, up after {check.recoveryThreshold}{' '}
          success{check.recoveryThreshold === 1 ? '' : 'es'}
        </dd>
        <dt>Severity</dt>
        <dd>{check.severity}</dd>
        <dt>Depends on</dt>
        <dd>
          {check.dependsOn.length ? (
            <span className="label-chips">
              {check.dependsOn.map((d) => (
                <Link key={d} to={`/checks/${encodeURIComponent(d)}`} className="label-chip">
                  {d}
                </Link>
              ))}
            </span>
          ) : (
            <span className="muted">nothing</span>
          )}
        </dd>
        <dt>Target</dt>
        <dd>
          <JsonBlock value={check.target} label="Target" />
        </dd>
        <dt>Changed</dt>
        <dd>
          <Time value={check.updatedAt} />{' '}
          <span className="muted">
            (created <Time value={check.createdAt} />)
          </span>
        </dd>
      </dl>
    </Card>
  );
}

/** One check: state, uptime, response times, certificate, results, state changes and (heartbeats) pings. */
export function CheckPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { user } = useCurrentUser();
  const canEdit = roleAtLeast(user.role, 'editor');
  const canRespond = roleAtLeast(user.role, 'responder');
  const [check, setCheck] = useState<Check | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState<'run' | 'pause' | null>(null);
  const [runResult, setRunResult] = useState<ProbeResult | null>(null);
  const [deleting, setDeleting] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadKey only triggers a reload
  useEffect(() => {
    const controller = new AbortController();
    checks.get(id, controller.signal).then(
      (c) => {
        if (controller.signal.aborted) return;
        setCheck(c);
        setError(null);
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setError(err);
      },
    );
    return () => controller.abort();
  }, [id, reloadKey]);

  // Keep state, chart and logs current while the page is open and visible.
  const refreshSeconds = Math.min(300, Math.max(15, check?.intervalSeconds ?? 60));
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setReloadKey((n) => n + 1);
    }, refreshSeconds * 1000);
    return () => clearInterval(timer);
  }, [refreshSeconds]);

  if (error && !check) {
    return (
      <Page title="Check" breadcrumbs={[{ label: 'Checks', to: '/checks' }]} testId="check-page">
        <ErrorState error={error} onRetry={() => setReloadKey((n) => n + 1)} />
      </Page>
    );
  }
  if (!check) {
    return (
      <div className="page muted" aria-busy="true">
        Loading…
      </div>
    );
  }

  const paused = check.state.status === 'paused';
  async function act(kind: 'run' | 'pause', action: () => Promise<void>) {
    setBusy(kind);
    setActionError(null);
    try {
      await action();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(null);
    }
  }

  const labels = Object.entries(check.labels);
  return (
    <Page
      title={
        <span className="check-title">
          {check.name} <CheckStatusBadge state={check.state} />
        </span>
      }
      breadcrumbs={[{ label: 'Checks', to: '/checks' }]}
      description={
        <span className="check-subtitle">
          <span className="badge">{KIND_LABELS[check.kind]}</span>{' '}
          <span className="mono" data-testid="check-target">
            {targetSummary(check.kind, check.target)}
          </span>
          {labels.length ? (
            <span className="label-chips">
              {labels.map(([k, v]) => (
                <Link key={k} className="label-chip" to={`/checks?label=${encodeURIComponent(`${k}=${v}`)}`}>
                  {k}={v}
                </Link>
              ))}
            </span>
          ) : null}
        </span>
      }
      actions={
        <>
          {canRespond ? (
            <>
              <Button
                variant="primary"
                busy={busy === 'run'}
                testId="run-now"
                onClick={() => act('run', async () => setRunResult(await checks.run(check.id)))}
              >
                Run now
              </Button>
              <Button
                busy={busy === 'pause'}
                testId={paused ? 'resume-check' : 'pause-check'}
                onClick={() =>
                  act('pause', async () => {
                    setCheck(paused ? await checks.resume(check.id) : await checks.pause(check.id));
                    setReloadKey((n) => n + 1);
                  })
                }
              >
                {paused ? 'Resume' : 'Pause'}
              </Button>
            </>
          ) : null}
          {canEdit ? (
            <>
              <Button onClick={() => navigate(`/checks/${encodeURIComponent(check.id)}/edit`)} testId="edit-check">
                Edit
              </Button>
              <Button variant="danger" onClick={() => setDeleting(true)} testId="delete-check">
                Delete
              </Button>
            </>
          ) : null}
        </>
      }
      testId="check-page"
    >
      {actionError ? <ErrorAlert error={actionError} onDismiss={() => setActionError(null)} /> : null}
      <UptimeWindows checkId={check.id} reloadKey={reloadKey} />
      <div className="check-grid">
        <StateCard check={check} />
        {check.certificate ? (
          <Card title="Certificate">
            <CertificateView cert={check.certificate} />
          </Card>
        ) : null}
      </div>
      <ResponseChart
        checkId={check.id}
        reloadKey={reloadKey}
        since={check.createdAt}
        initialRange={Date.now() - Date.parse(check.createdAt) < 3600_000 ? '1h' : '24h'}
        title={check.kind === 'heartbeat' ? 'Run time' : 'Response time'}
      />
      {check.kind === 'heartbeat' ? (
        <HeartbeatCard
          checkId={check.id}
          pingPath={check.pingPath}
          onRotated={canEdit ? setCheck : undefined}
          reloadKey={reloadKey}
        />
      ) : null}
      <ResultLog checkId={check.id} kind={check.kind} reloadKey={reloadKey} />
      <EventLog checkId={check.id} reloadKey={reloadKey} />
      <SettingsCard check={check} />

      <Dialog
        open={runResult !== null}
        title={`Run of ${check.name}`}
        onClose={() => setRunResult(null)}
        wide
        testId="run-result-dialog"
        footer={
          <Button variant="primary" onClick={() => setRunResult(null)}>
            Close
          </Button>
        }
      >
        {runResult ? <ProbeResultView result={runResult} /> : null}
        <p className="field-hint">A manual run is not recorded and does not change the check’s state.</p>
      </Dialog>
      <ConfirmDialog
        open={deleting}
        title="Delete check"
        confirmLabel="Delete check"
        danger
        onClose={() => setDeleting(false)}
        onConfirm={async () => {
          await checks.remove(check.id);
          navigate('/checks');
        }}
        testId="delete-check-dialog"
      >
        <p style={{ margin: 0 }}>
          Delete <strong>{check.name}</strong> with its results, uptime history and events? This cannot be undone. To
          stop it for a while, pause it instead.
        </p>
      </ConfirmDialog>
    </Page>
  );
}
