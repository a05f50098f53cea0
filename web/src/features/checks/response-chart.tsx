import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { checks, type Series } from '../../api/checks';
import { Button, EmptyState, ErrorState } from '../../ui';
import { formatMs } from './check-format';
import { type ChartColors, useChartColors, withAlpha } from './use-chart-colors';

export const CHART_RANGES = [
  { key: '1h', label: '1h', ms: 3600_000 },
  { key: '24h', label: '24h', ms: 24 * 3600_000 },
  { key: '7d', label: '7d', ms: 7 * 24 * 3600_000 },
  { key: '30d', label: '30d', ms: 30 * 24 * 3600_000 },
  { key: '1y', label: '1y', ms: 365 * 24 * 3600_000 },
] as const;
export type RangeKey = (typeof CHART_RANGES)[number]['key'];

const STEP_SECONDS: Record<Series['step'], number> = { raw: 0, '1m': 60, '1h': 3600, '1d': 86400 };
const HEIGHT = 240;

interface Loaded {
  series: Series;
  from: number;
  to: number;
}

function columns(series: Series): uPlot.AlignedData {
  const pts = series.points;
  return [
    pts.map((p) => Date.parse(p.t) / 1000),
    pts.map((p) => p.avgMs),
    pts.map((p) => p.minMs),
    pts.map((p) => p.maxMs),
    pts.map((p) => p.p95Ms),
    pts.map((p) => p.failures),
  ];
}

/** Shades every bucket that had failures, darker the larger its share of failed results. */
function failureShading(series: Series, color: string): (u: uPlot) => void {
  return (u) => {
    const { ctx } = u;
    const { top, height, left, width } = u.bbox;
    const step = STEP_SECONDS[series.step];
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    for (const p of series.points) {
      if (p.failures <= 0) continue;
      const t = Date.parse(p.t) / 1000;
      const x0 = u.valToPos(t, 'x', true);
      const x1 = step ? u.valToPos(t + step, 'x', true) : x0 + 1;
      const w = Math.max(3 * devicePixelRatio, x1 - x0);
      const share = p.count > 0 ? p.failures / p.count : 1;
      ctx.fillStyle = withAlpha(color, 0.12 + 0.4 * share);
      ctx.fillRect(step ? x0 : x0 - w / 2, top, w, height);
    }
    ctx.restore();
  };
}

function options(loaded: Loaded, colors: ChartColors, width: number): uPlot.Options {
  const axis: uPlot.Axis = {
    stroke: colors.text,
    grid: { stroke: colors.grid, width: 1 },
    ticks: { stroke: colors.grid, width: 1 },
    font: `12px ${colors.font}`,
  };
  const ms = (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : formatMs(v));
  return {
    width,
    height: HEIGHT,
    scales: {
      x: { time: true, range: () => [loaded.from / 1000, loaded.to / 1000] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 100] },
      failures: { range: [0, 1] },
    },
    axes: [axis, { ...axis, size: 64, values: (_u, splits) => splits.map((v) => formatMs(v)) }],
    series: [
      {},
      { label: 'Average', stroke: colors.line, width: 2, value: ms, spanGaps: false },
      { label: 'Min', stroke: withAlpha(colors.line, 0.35), width: 1, value: ms },
      { label: 'Max', stroke: withAlpha(colors.line, 0.35), width: 1, value: ms },
      { label: 'p95', stroke: colors.p95, width: 1.5, dash: [5, 4], value: ms },
      {
        label: 'Failures',
        stroke: colors.failure,
        scale: 'failures',
        paths: () => null,
        points: { show: false },
        value: (_u, v) => (v === null || v === undefined ? '—' : String(v)),
      },
    ],
    bands: [{ series: [3, 2], fill: withAlpha(colors.line, 0.12) }],
    hooks: { drawClear: [failureShading(loaded.series, colors.failure)] },
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
  };
}

function Plot({ loaded }: { loaded: Loaded }) {
  const colors = useChartColors();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const plot = new uPlot(options(loaded, colors, el.clientWidth || 600), columns(loaded.series), el);
    const observer = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientWidth !== plot.width) plot.setSize({ width: el.clientWidth, height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [loaded, colors]);
  return <div ref={ref} className="response-chart" data-testid="response-chart" />;
}

/** Response time of a check over a chosen range: average, min–max band, p95, failures shaded red. */
export function ResponseChart({
  checkId,
  reloadKey,
  initialRange = '24h',
  title = 'Response time',
  since,
}: {
  checkId: string;
  /** When the check was created: the chart does not stretch over time before it existed. */
  since?: string | undefined;
  title?: string | undefined;
  reloadKey?: unknown;
  /** A new check has nothing to show over a day yet; its page starts at 1h. */
  initialRange?: RangeKey | undefined;
}) {
  const [range, setRange] = useState<RangeKey>(initialRange);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const rangeMs = useMemo(() => CHART_RANGES.find((r) => r.key === range)?.ms ?? 86400_000, [range]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reloadKey and attempt only trigger a reload
  useEffect(() => {
    const controller = new AbortController();
    const to = Date.now();
    const created = since ? Date.parse(since) : Number.NaN;
    const from = Number.isNaN(created) ? to - rangeMs : Math.min(to - 60_000, Math.max(to - rangeMs, created));
    checks.series(checkId, new Date(from).toISOString(), new Date(to).toISOString(), controller.signal).then(
      (series) => {
        if (controller.signal.aborted) return;
        setLoaded({ series, from, to });
        setError(null);
      },
      (err: unknown) => {
        if (!controller.signal.aborted) setError(err);
      },
    );
    return () => controller.abort();
  }, [checkId, rangeMs, since, reloadKey, attempt]);

  const hasData = loaded?.series.points.some((p) => p.count > 0);
  return (
    <section className="card" data-testid="response-time">
      <div className="card-body">
        <div className="card-heading">
          <h2 className="card-title">{title}</h2>
          <fieldset className="segmented" aria-label="Time range">
            {CHART_RANGES.map((r) => (
              <Button
                key={r.key}
                size="sm"
                variant={r.key === range ? 'primary' : 'secondary'}
                aria-pressed={r.key === range}
                onClick={() => setRange(r.key)}
                testId={`range-${r.key}`}
              >
                {r.label}
              </Button>
            ))}
          </fieldset>
        </div>
        {error ? (
          <ErrorState error={error} title="Could not load response times" onRetry={() => setAttempt((n) => n + 1)} />
        ) : !loaded ? (
          <div className="chart-placeholder muted" aria-busy="true">
            Loading…
          </div>
        ) : hasData ? (
          <>
            <Plot loaded={loaded} />
            <p className="field-hint" style={{ margin: 0 }}>
              Line: average per {loaded.series.step === 'raw' ? 'result' : loaded.series.step}; band: min–max; dashed:
              p95; red: failed results. Drag to zoom, double-click to reset.
            </p>
          </>
        ) : (
          <EmptyState title="No results in this range" icon="∿" testId="chart-empty">
            Results appear here as the scheduler runs the check (every interval). “Run now” tries it without recording a
            result.
          </EmptyState>
        )}
      </div>
    </section>
  );
}
