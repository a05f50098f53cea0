import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { ApiError } from '../../api/client';
import { Alert, Card, EmptyState, ErrorState, Form, Page, TextArea } from '../../ui';
import { formatDuration, parseLabelSet } from './alert-format';
import { type RoutingTest, routingApi } from './alerts-api';
import { RouteTree } from './route-tree';
import { usePolled } from './use-polled';
import './alerts.css';
import './routing.css';

const EXAMPLE_LABELS = 'alertname=DiskFull\nseverity=critical\nservice=db';

/** `root.0.1` → root, root.0 (the routes an alert passes on its way to root.0.1). */
function ancestors(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    const parts = p.split('.');
    for (let i = 1; i < parts.length; i++) out.add(parts.slice(0, i).join('.'));
  }
  return out;
}

function TestResult({ result }: { result: RoutingTest }) {
  if (result.unrouted) {
    return (
      <Alert tone="warning" title="Not routed" testId="routing-result">
        There is no routing tree, so an alert with these labels would reach nobody.
      </Alert>
    );
  }
  return (
    <div className="routing-result" data-testid="routing-result">
      {result.routes.map((r) => (
        <div key={r.route} className="routing-result-route" data-testid="routing-result-route">
          <div>
            <span className="mono">{r.route}</span> → receiver <strong>{r.receiver}</strong>
          </div>
          <div className="cell-secondary">
            group{' '}
            {Object.keys(r.groupLabels).length ? (
              <span className="mono">
                {Object.entries(r.groupLabels)
                  .map(([k, v]) => `${k}="${v}"`)
                  .join(', ')}
              </span>
            ) : (
              'of all its alerts'
            )}{' '}
            · first notification after {formatDuration(r.groupWaitMs)}
          </div>
          {r.mutedNow.length ? <div className="cell-secondary">muted right now by {r.mutedNow.join(', ')}</div> : null}
        </div>
      ))}
      {result.silencedBy.length ? (
        <p className="routing-silenced" data-testid="routing-silenced">
          Silenced right now by{' '}
          {result.silencedBy.map((s, i) => (
            <span key={s}>
              {i ? ', ' : ''}
              <Link to={`/alerts/silences/${encodeURIComponent(s)}`} className="mono">
                {s}
              </Link>
            </span>
          ))}
          .
        </p>
      ) : (
        <p className="muted routing-silenced">No silence matches it right now.</p>
      )}
    </div>
  );
}

/** The routing tree, and where a label set would go through it. */
export function RoutingPage() {
  const [params] = useSearchParams();
  const focus = params.get('route') ?? undefined;
  const { data, error, reload } = usePolled(routingApi.tree, 60_000);
  const [labelsText, setLabelsText] = useState('');
  const [result, setResult] = useState<RoutingTest | null>(null);
  const matched = useMemo(() => new Set(result?.routes.map((r) => r.route) ?? []), [result]);
  const onPath = useMemo(() => ancestors(matched), [matched]);

  const hasTree = Boolean(data?.root);
  useEffect(() => {
    if (hasTree && focus) document.getElementById(`route-${focus}`)?.scrollIntoView({ block: 'center' });
  }, [hasTree, focus]);

  async function test() {
    const parsed = parseLabelSet(labelsText);
    if ('error' in parsed) {
      throw new ApiError({
        status: 400,
        code: 'invalid_labels',
        message: 'These are not labels',
        fields: [{ path: 'labels', message: parsed.error }],
      });
    }
    setResult(await routingApi.test(parsed.labels));
  }

  return (
    <Page
      title="Routing"
      breadcrumbs={[{ label: 'Alerts', to: '/alerts' }]}
      description="Every alert enters the tree at root and goes down to the deepest routes whose matchers all match; a route with continue lets matching go on to its next sibling. Receivers, group by and timers are inherited unless a route sets them."
      testId="routing-page"
    >
      <div className="routing-layout">
        <div className="stack">
          {error && !data ? <ErrorState error={error} onRetry={reload} /> : null}
          {data?.error ? (
            <Alert tone="danger" title="The routing tree does not compile" testId="routing-error">
              <p className="mono">{data.error}</p>
              <p>Until it is fixed, alerts are recorded but not routed: nobody is told.</p>
            </Alert>
          ) : null}
          {data && !data.root && !data.error ? (
            <Card>
              <EmptyState title="No routing tree yet" icon="◌">
                Apply a <code>Route</code> named <code>root</code> (with its <code>Receiver</code>s) as configuration as
                code. Until then alerts are recorded but nobody is told.
              </EmptyState>
            </Card>
          ) : null}
          {data?.root ? <RouteTree node={data.root} matched={matched} onPath={onPath} focus={focus} /> : null}
        </div>
        <Card className="routing-test">
          <h2 className="card-title">Test a label set</h2>
          <Form onSubmit={test} submitLabel="Test" testId="routing-test-form">
            <TextArea
              name="labels"
              label="Labels"
              value={labelsText}
              onChange={setLabelsText}
              rows={5}
              placeholder={EXAMPLE_LABELS}
              hint={
                <>
                  One <code>key=value</code> per line, or <code>{'{service="db", severity="critical"}'}</code>.
                </>
              }
              testId="routing-labels"
            />
          </Form>
          {result ? <TestResult result={result} /> : null}
        </Card>
      </div>
    </Page>
  );
}
