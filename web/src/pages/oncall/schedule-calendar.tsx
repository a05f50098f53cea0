import type { ReactNode } from 'react';
import './schedule-calendar.css';
import type { Shift, Timeline } from './oncall-api';
import { dayStart, formatInZone, offsetLabel, wallClock, zoneFormat } from './zone-time';

/** A stable colour slot per person, so someone looks the same in every row and every week. */
export function personSlot(user: string): number {
  let h = 0;
  for (const c of user) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % 8;
}

function shortName(s: { user: string; name: string | null }): string {
  return s.name || s.user.split('@')[0] || s.user;
}

interface Bar {
  key: string;
  user: string;
  label: string;
  start: number;
  end: number;
  kind: 'layer' | 'override' | 'swap';
  note?: string | undefined;
}

function Track({
  bars,
  from,
  to,
  zone,
  label,
  testId,
}: {
  bars: readonly Bar[];
  from: number;
  to: number;
  zone: string;
  label: string;
  testId: string;
}) {
  const span = to - from;
  const lanes = laneOf(bars);
  const laneCount = lanes.size ? Math.max(...lanes.values()) + 1 : 1;
  return (
    <ul
      className="sched-track"
      aria-label={label}
      data-testid={testId}
      style={laneCount > 1 ? { height: `calc(${laneCount} * var(--lane-h) + 10px)` } : undefined}
    >
      {bars.map((b) => {
        const s = Math.max(b.start, from);
        const e = Math.min(b.end, to);
        if (e <= s) return null;
        const lane = lanes.get(b.key) ?? 0;
        const text = `${b.label}: ${formatInZone(zone, b.start)} – ${formatInZone(zone, b.end)}${b.note ? ` (${b.note})` : ''}`;
        return (
          <li
            key={b.key}
            className={`sched-bar sched-slot-${personSlot(b.user)} sched-bar-${b.kind} ${b.start < from ? 'sched-bar-cut-left' : ''} ${b.end > to ? 'sched-bar-cut-right' : ''}`}
            style={{
              left: `${((s - from) / span) * 100}%`,
              width: `${((e - s) / span) * 100}%`,
              ...(laneCount > 1
                ? { top: `calc(5px + ${lane} * var(--lane-h))`, height: 'calc(var(--lane-h) - 3px)', bottom: 'auto' }
                : {}),
            }}
            title={text}
            aria-label={text}
            data-testid="sched-bar"
            data-kind={b.kind}
            data-user={b.user}
          >
            <span className="sched-bar-text">{b.label}</span>
          </li>
        );
      })}
    </ul>
  );
}

/**
 * Lanes for bars that overlap (overrides and swaps may): each bar takes the first lane free at its
 * start, so nothing is drawn over anything else. Layer and final shifts never overlap: one lane.
 */
function laneOf(bars: readonly Bar[]): Map<string, number> {
  const ends: number[] = [];
  const out = new Map<string, number>();
  for (const b of [...bars].sort((x, y) => x.start - y.start)) {
    let lane = ends.findIndex((end) => end <= b.start);
    if (lane < 0) lane = ends.length;
    ends[lane] = b.end;
    out.set(b.key, lane);
  }
  return out;
}

function fromShifts(shifts: readonly Shift[], prefix: string): Bar[] {
  return shifts.map((s, i) => ({
    key: `${prefix}-${i}-${s.start}`,
    user: s.user,
    label: shortName(s),
    start: Date.parse(s.start),
    end: Date.parse(s.end),
    kind: s.source,
    note: s.source === 'layer' ? undefined : s.source,
  }));
}

function Row({
  label,
  sub,
  children,
  className,
}: {
  label: string;
  sub?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={`sched-row ${className ?? ''}`}>
      <div className="sched-label">
        <span className="sched-label-name" title={label}>
          {label}
        </span>
        {sub ? <span className="sched-label-sub">{sub}</span> : null}
      </div>
      {children}
    </div>
  );
}

export interface ScheduleCalendarProps {
  timeline: Timeline;
  from: number;
  to: number;
  now: number;
}

/**
 * The schedule over one to four weeks in its own time zone: one row per layer (lowest first), a row
 * of overrides and swaps, and the final row that pages; day lines at the zone's midnights; a "now" line.
 */
export function ScheduleCalendar({ timeline, from, to, now }: ScheduleCalendarProps) {
  const zone = timeline.timeZone;
  const span = to - from;
  const days: number[] = [];
  for (let d = from, i = 0; d < to && i < 62; i++) {
    days.push(d);
    d = dayStart(zone, d, 1);
  }
  const dayLabel = zoneFormat(
    zone,
    days.length <= 7
      ? { weekday: 'short', day: 'numeric', month: 'short' }
      : days.length <= 14
        ? { weekday: 'short', day: 'numeric' }
        : { weekday: 'narrow', day: 'numeric' },
  );
  const pct = (t: number) => `${((t - from) / span) * 100}%`;
  const showNow = now >= from && now < to;
  const changes: Bar[] = [
    ...timeline.overrides.map((o) => ({
      key: `o-${o.id}`,
      user: o.user,
      label: o.user.split('@')[0] ?? o.user,
      start: Date.parse(o.start),
      end: Date.parse(o.end),
      kind: 'override' as const,
      note: o.reason ? `override: ${o.reason}` : 'override',
    })),
    ...timeline.swaps.map((s) => ({
      key: `s-${s.id}`,
      user: s.to,
      label: `${s.to.split('@')[0]} for ${s.from.split('@')[0]}`,
      start: Date.parse(s.start),
      end: Date.parse(s.end),
      kind: 'swap' as const,
      note: s.reason ? `swap: ${s.reason}` : 'swap',
    })),
  ];

  return (
    <div className="sched" data-testid="schedule-calendar">
      <div className="sched-row sched-head">
        <div className="sched-label sched-zone" data-testid="schedule-zone">
          {zone}
          <span className="sched-label-sub">{offsetLabel(zone, from)}</span>
        </div>
        <div className="sched-track sched-days">
          {days.map((d) => {
            const w = wallClock(zone, d);
            return (
              <div
                key={d}
                className={`sched-day ${w.weekday >= 5 ? 'sched-day-weekend' : ''}`}
                style={{ left: pct(d), width: `${((dayStart(zone, d, 1) - d) / span) * 100}%` }}
              >
                {dayLabel.format(d)}
              </div>
            );
          })}
        </div>
      </div>
      <div className="sched-body">
        {timeline.layers.map((l, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: layers are positions (names need not be unique)
          <Row key={`${l.name}-${i}`} label={l.name} sub={`layer ${i + 1}`}>
            <Track
              bars={fromShifts(l.shifts, `l${i}`)}
              from={from}
              to={to}
              zone={zone}
              label={`Layer ${l.name}`}
              testId="sched-layer"
            />
          </Row>
        ))}
        <Row label="Overrides" sub="and swaps" className="sched-row-changes">
          <Track bars={changes} from={from} to={to} zone={zone} label="Overrides and swaps" testId="sched-overrides" />
        </Row>
        <Row label="Final" sub="who is paged" className="sched-row-final">
          <Track
            bars={fromShifts(timeline.final, 'f')}
            from={from}
            to={to}
            zone={zone}
            label="Final schedule"
            testId="sched-final"
          />
        </Row>
        <div className="sched-overlay" aria-hidden="true">
          {days.map((d) => (
            <div
              key={d}
              className={`sched-gridline ${wallClock(zone, d).weekday === 0 ? 'sched-gridline-week' : ''}`}
              style={{ left: pct(d) }}
            />
          ))}
          {showNow ? (
            <div className="sched-now" style={{ left: pct(now) }} data-testid="sched-now">
              <span className="sched-now-label">now</span>
            </div>
          ) : null}
        </div>
      </div>
    </div>
  );
}
