import { useEffect, useState } from 'react';
import { checks, UPTIME_WINDOWS, type Uptime } from '../../api/checks';
import { ErrorState } from '../../ui';
import { formatUptime, uptimeLevel } from './check-format';

const WINDOW_LABELS: Record<(typeof UPTIME_WINDOWS)[number], string> = {
  '24h': '24 hours',
  '7d': '7 days',
  '30d': '30 days',
  '1y': '1 year',
};

/** Uptime over the last 24 hours, 7 days, 30 days and year, from the server's rollups. */
export function UptimeWindows({ checkId, reloadKey }: { checkId: string; reloadKey?: unknown }) {
  const [uptime, setUptime] = useState<Uptime | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadKey and attempt only trigger a reload
  useEffect(() => {
    const controller = new AbortController();
    checks.uptime(checkId, controller.signal).then(
      (u) => {
        if (controller.signal.aborted) return;
        setUptime(u);
        setError(null);
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setError(err);
      },
    );
    return () => controller.abort();
  }, [checkId, reloadKey, attempt]);

  if (error) return <ErrorState error={error} title="Could not load uptime" onRetry={() => setAttempt((n) => n + 1)} />;
  return (
    <div className="uptime-windows" data-testid="uptime-windows">
      {UPTIME_WINDOWS.map((w) => {
        const win = uptime?.windows.find((x) => x.window === w);
        return (
          <div key={w} className={`uptime-tile uptime-tile-${uptimeLevel(win?.uptime)}`} data-testid={`uptime-${w}`}>
            <span className="uptime-tile-label">{WINDOW_LABELS[w]}</span>
            <span className="uptime-tile-value">{uptime ? formatUptime(win?.uptime) : '…'}</span>
            <span className="uptime-tile-sub">
              {win ? (win.count ? `${win.failures} of ${win.count} failed` : 'no results') : ' '}
            </span>
          </div>
        );
      })}
    </div>
  );
}
