import type { MaintenanceOccurrence } from './alerts-api';

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

/** Local midnight of the Monday of the week holding `d`. */
export function weekStart(d: Date): Date {
  const out = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  out.setDate(out.getDate() - ((out.getDay() + 6) % 7));
  return out;
}

export function addDays(d: Date, n: number): Date {
  const out = new Date(d);
  out.setDate(out.getDate() + n);
  return out;
}

/** A stable colour slot per window name, so a window looks the same every week. */
export function colourSlot(name: string): number {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % 6;
}

interface Segment {
  occ: MaintenanceOccurrence;
  /** The part of the occurrence inside this day. */
  from: number;
  to: number;
  continues: boolean;
  continued: boolean;
}

function segmentsOf(day: Date, items: readonly MaintenanceOccurrence[]): Segment[] {
  const dayStart = day.getTime();
  const dayEnd = addDays(day, 1).getTime();
  const out: Segment[] = [];
  for (const occ of items) {
    const s = Date.parse(occ.start);
    const e = Date.parse(occ.end);
    if (e <= dayStart || s >= dayEnd) continue;
    out.push({
      occ,
      from: Math.max(s, dayStart),
      to: Math.min(e, dayEnd),
      continued: s < dayStart,
      continues: e > dayEnd,
    });
  }
  return out.sort((a, b) => a.from - b.from);
}

function isoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function Block({ seg, now }: { seg: Segment; now: number }) {
  const active = Date.parse(seg.occ.start) <= now && now < Date.parse(seg.occ.end);
  const from = seg.continued ? '…' : time.format(seg.from);
  const to = seg.continues ? '…' : time.format(seg.to);
  const title = `${seg.occ.window}: ${new Date(seg.occ.start).toLocaleString()} – ${new Date(seg.occ.end).toLocaleString()}`;
  return (
    <div
      className={`calendar-block calendar-slot-${colourSlot(seg.occ.window)} ${active ? 'calendar-block-active' : ''}`}
      title={seg.occ.comment ? `${title}\n${seg.occ.comment}` : title}
      data-testid="calendar-block"
    >
      <span className="calendar-block-name">{seg.occ.window}</span>
      <span className="calendar-block-time">
        {from}–{to}
      </span>
    </div>
  );
}

export interface MaintenanceCalendarProps {
  start: Date;
  weeks: number;
  items: readonly MaintenanceOccurrence[];
  now: number;
}

/** Weeks as rows, days as columns; each occurrence is a block in every day it covers. */
export function MaintenanceCalendar({ start, weeks, items, now }: MaintenanceCalendarProps) {
  const today = new Date(now).toDateString();
  return (
    <table className="calendar" aria-label="Maintenance calendar" data-testid="maintenance-calendar">
      <thead>
        <tr>
          {DAY_NAMES.map((d) => (
            <th key={d} scope="col" className="calendar-dayname">
              {d}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: weeks }, (_, w) => {
          const monday = addDays(start, w * 7);
          return (
            <tr key={monday.toISOString()}>
              {Array.from({ length: 7 }, (_, d) => {
                const day = addDays(monday, d);
                const past = addDays(day, 1).getTime() <= now;
                return (
                  <td
                    key={day.toISOString()}
                    className={`calendar-day ${day.toDateString() === today ? 'calendar-today' : ''} ${past ? 'calendar-past' : ''}`}
                    data-testid="calendar-day"
                    data-date={isoDate(day)}
                  >
                    <div className="calendar-date">
                      {day.getDate() === 1 || (w === 0 && d === 0) ? dayMonth.format(day) : day.getDate()}
                    </div>
                    {segmentsOf(day, items).map((seg) => (
                      <Block key={`${seg.occ.window}:${seg.occ.start}`} seg={seg} now={now} />
                    ))}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
