import type { HourlyUptime } from '../../api/checks';
import { formatUptime, uptimeLevel } from './check-format';

const hourFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

function label(h: HourlyUptime): string {
  const d = new Date(h.hour);
  const when = Number.isNaN(d.getTime()) ? h.hour : hourFormat.format(d);
  return h.uptime === null ? `${when}: no data` : `${when}: ${formatUptime(h.uptime)} up`;
}

/** The last 24 hours as 24 cells, oldest first, coloured by that hour's uptime (grey without data). */
export function UptimeBar({ hours, total }: { hours: readonly HourlyUptime[]; total?: number | null | undefined }) {
  const summary =
    total === undefined ? 'Uptime by hour, last 24 hours' : `Uptime last 24 hours: ${formatUptime(total)}`;
  return (
    <span className="uptime-bar" role="img" aria-label={summary} data-testid="uptime-bar">
      {hours.map((h) => (
        <span key={h.hour} className={`uptime-cell uptime-${uptimeLevel(h.uptime)}`} title={label(h)} />
      ))}
    </span>
  );
}
