import { useCallback, useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router-dom';
import { useCurrentUser } from '../../auth/session';
import { roleAtLeast } from '../../features/accounts/roles';
import { Button, Card, ConfirmDialog, ErrorAlert, ErrorState, Page, Select, useUrlState } from '../../ui';
import { usePolled } from '../alerts/use-polled';
import { type Override, oncallApi, type ScheduleSpec, type SwapLeg } from './oncall-api';
import { ScheduleCalendar } from './schedule-calendar';
import { FeedDialog, OverrideDialog, SwapDialog } from './schedule-forms';
import { dayStart, formatInZone, weekStart, zoneFormat } from './zone-time';
import '../incidents/incidents.css';
import './oncall.css';

const WEEK_OPTIONS = [
  { value: '1', label: '1 week' },
  { value: '2', label: '2 weeks' },
  { value: '4', label: '4 weeks' },
];

function rotationText(r: ScheduleSpec['layers'][number]['rotation']): string {
  const every = r.every ?? 1;
  const unit = every === 1 ? r.unit.replace(/s$/, '') : `${every} ${r.unit}`;
  return `hands off every ${unit} at ${r.handoff ?? '09:00'}, from ${r.start}`;
}

function LayersCard({ spec }: { spec: ScheduleSpec }) {
  return (
    <Card title="Layers">
      <p className="muted card-note">
        Later layers are higher: where a higher layer has someone, it wins. Overrides win over every layer.
      </p>
      <ol className="layer-list" data-testid="schedule-layers">
        {spec.layers.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: layers are positions (names need not be unique)
          <li key={`${l.name}-${i}`}>
            <span className="cell-primary">
              {i + 1}. {l.name}
            </span>
            <span className="cell-secondary">{rotationText(l.rotation)}</span>
            <span className="cell-secondary">{l.rotation.participants.join(' → ')}</span>
            {l.restrictions?.length ? (
              <span className="cell-secondary">
                only{' '}
                {l.restrictions
                  .map((r) => `${(r.days ?? []).join(', ') || 'every day'} ${r.start}–${r.end}`)
                  .join('; ')}
              </span>
            ) : null}
          </li>
        ))}
      </ol>
    </Card>
  );
}

function ChangesTable({
  zone,
  overrides,
  swaps,
  canWrite,
  onRemove,
}: {
  zone: string;
  overrides: Override[];
  swaps: SwapLeg[];
  canWrite: boolean;
  onRemove(kind: 'override' | 'swap', id: string, label: string): void;
}) {
  if (!overrides.length && !swaps.length)
    return <p className="muted card-note">No overrides or swaps in these weeks.</p>;
  return (
    <div className="table-scroll">
      <table className="table" aria-label="Overrides and swaps" data-testid="schedule-changes">
        <thead>
          <tr>
            <th scope="col">Who</th>
            <th scope="col">When</th>
            {canWrite ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {[
            ...overrides.map((o) => ({
              kind: 'override' as const,
              id: o.id,
              who: o.user,
              start: o.start,
              end: o.end,
              reason: o.reason,
            })),
            ...swaps.map((s) => ({
              kind: 'swap' as const,
              id: s.id,
              who: `${s.to} for ${s.from}`,
              start: s.start,
              end: s.end,
              reason: s.reason,
            })),
          ].map((c) => (
            <tr key={`${c.kind}-${c.id}`} data-testid="schedule-change">
              <td>
                <span className={`change-kind change-kind-${c.kind}`}>{c.kind}</span> {c.who}
                {c.reason ? <span className="cell-secondary">{c.reason}</span> : null}
              </td>
              <td>
                <span className="nowrap">{formatInZone(zone, c.start)} –</span>{' '}
                <span className="nowrap">{formatInZone(zone, c.end)}</span>
              </td>
              {canWrite ? (
                <td className="table-align-right">
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => onRemove(c.kind, c.id, c.who)}
                    aria-label={`Remove ${c.kind} of ${c.who}`}
                    testId="remove-change"
                  >
                    Remove
                  </Button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One schedule: its layers, overrides and final rotation drawn over one to four weeks in its own zone. */
export function SchedulePage() {
  const { name = '' } = useParams();
  const { user } = useCurrentUser();
  const canWrite = roleAtLeast(user.role, 'responder');
  const loadSpec = useCallback((signal: AbortSignal) => oncallApi.schedule(name, signal), [name]);
  const spec = usePolled(loadSpec, 300_000);
  const zone = spec.data?.spec.timeZone ?? 'UTC';
  const [weeksParam, setWeeks] = useUrlState('weeks', '2');
  const weeks = [1, 2, 4].includes(Number(weeksParam)) ? Number(weeksParam) : 2;
  const [offsetWeeks, setOffsetWeeks] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const thisWeek = useMemo(() => weekStart(zone, Date.now()), [zone]);
  const from = useMemo(() => dayStart(zone, thisWeek, offsetWeeks * 7), [zone, thisWeek, offsetWeeks]);
  const to = useMemo(() => dayStart(zone, from, weeks * 7), [zone, from, weeks]);
  const loadTimeline = useCallback(
    (signal: AbortSignal) => oncallApi.timeline(name, new Date(from).toISOString(), new Date(to).toISOString(), signal),
    [name, from, to],
  );
  const timeline = usePolled(loadTimeline, 60_000);
  const [dialog, setDialog] = useState<'override' | 'swap' | 'feed' | null>(null);
  const [removing, setRemoving] = useState<{ kind: 'override' | 'swap'; id: string; label: string } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const people = useMemo(
    () => [...new Set((spec.data?.spec.layers ?? []).flatMap((l) => l.rotation.participants))],
    [spec.data],
  );
  const range = zoneFormat(zone, { day: 'numeric', month: 'long', year: 'numeric' });
  const current = timeline.data?.final.find((s) => Date.parse(s.start) <= now && now < Date.parse(s.end));

  if (spec.error && !spec.data) {
    return (
      <Page title={name} breadcrumbs={[{ label: 'On-call', to: '/oncall' }]} testId="schedule-page">
        <ErrorState error={spec.error} onRetry={spec.reload} />
      </Page>
    );
  }

  return (
    <Page
      title={<span className="mono-title">{name}</span>}
      breadcrumbs={[{ label: 'On-call', to: '/oncall' }]}
      description={
        spec.data?.spec.description ?? `A schedule in ${zone}. Times on this page are ${zone} wall-clock times.`
      }
      actions={
        canWrite ? (
          <>
            <Button variant="primary" onClick={() => setDialog('override')} testId="add-override">
              Add override
            </Button>
            <Button onClick={() => setDialog('swap')} testId="add-swap">
              Swap shifts
            </Button>
            <Button onClick={() => setDialog('feed')} testId="schedule-feed">
              Calendar feed
            </Button>
          </>
        ) : null
      }
      testId="schedule-page"
    >
      {error ? <ErrorAlert error={error} onDismiss={() => setError(null)} /> : null}
      <Card>
        <div className="card-heading sched-nav">
          <div>
            <h2 className="card-title" data-testid="schedule-range">
              {range.format(from)} – {range.format(dayStart(zone, to, -1))}
            </h2>
            <p className="muted sched-current" data-testid="schedule-current">
              {current ? (
                <>
                  On call now: <strong>{current.name || current.user}</strong> until {formatInZone(zone, current.end)}
                  {current.source !== 'layer' ? ` (${current.source})` : ''}
                </>
              ) : timeline.data ? (
                'Nobody is on call right now.'
              ) : (
                ' '
              )}
            </p>
          </div>
          <div className="row">
            <div className="sched-weeks">
              <Select
                name="weeks"
                label={<span className="visually-hidden">Weeks shown</span>}
                value={String(weeks)}
                onChange={setWeeks}
                options={WEEK_OPTIONS}
                testId="schedule-weeks"
              />
            </div>
            <Button size="sm" onClick={() => setOffsetWeeks((w) => w - 1)} testId="schedule-prev">
              ← Previous week
            </Button>
            <Button size="sm" onClick={() => setOffsetWeeks(0)} disabled={offsetWeeks === 0} testId="schedule-today">
              This week
            </Button>
            <Button size="sm" onClick={() => setOffsetWeeks((w) => w + 1)} testId="schedule-next">
              Next week →
            </Button>
          </div>
        </div>
        {timeline.error ? <ErrorAlert error={timeline.error} /> : null}
        {timeline.data && spec.data ? (
          <ScheduleCalendar
            timeline={timeline.data}
            from={Date.parse(timeline.data.from)}
            to={Date.parse(timeline.data.to)}
            now={now}
          />
        ) : (
          <p className="muted">Loading…</p>
        )}
        <div className="sched-legend" aria-hidden="true">
          <span>
            <span className="sched-swatch sched-swatch-override" /> override
          </span>
          <span>
            <span className="sched-swatch sched-swatch-swap" /> swap
          </span>
          <span>
            <span className="sched-swatch sched-swatch-now" /> now
          </span>
        </div>
      </Card>
      <div className="oncall-grid">
        <Card title="Overrides and swaps">
          <ChangesTable
            zone={zone}
            overrides={timeline.data?.overrides ?? []}
            swaps={timeline.data?.swaps ?? []}
            canWrite={canWrite}
            onRemove={(kind, id, label) => setRemoving({ kind, id, label })}
          />
        </Card>
        {spec.data ? <LayersCard spec={spec.data.spec} /> : null}
      </div>
      {dialog === 'override' ? (
        <OverrideDialog
          schedule={name}
          zone={zone}
          people={people}
          onClose={() => setDialog(null)}
          onSaved={timeline.reload}
        />
      ) : null}
      {dialog === 'swap' ? (
        <SwapDialog
          schedule={name}
          zone={zone}
          people={people}
          onClose={() => setDialog(null)}
          onSaved={timeline.reload}
        />
      ) : null}
      {dialog === 'feed' ? (
        <FeedDialog title={`Calendar feed of ${name}`} schedule={name} onClose={() => setDialog(null)} />
      ) : null}
      <ConfirmDialog
        open={removing !== null}
        title={`Remove this ${removing?.kind ?? 'override'}?`}
        confirmLabel="Remove"
        danger
        onConfirm={async () => {
          if (!removing) return;
          if (removing.kind === 'override') await oncallApi.removeOverride(name, removing.id);
          else await oncallApi.removeSwap(name, removing.id);
          timeline.reload();
        }}
        onClose={() => setRemoving(null)}
      >
        <p>The layers decide again who is on call for {removing?.label}'s range.</p>
      </ConfirmDialog>
    </Page>
  );
}
