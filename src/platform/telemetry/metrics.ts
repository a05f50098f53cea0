import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Self-metrics, exported on /metrics in the Prometheus text format. One registry
 * per app instance (no global singleton), so tests can build several apps.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'mainstay_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly dbQueryDuration = new Histogram({
    name: 'mainstay_db_query_duration_seconds',
    help: 'Database query duration',
    labelNames: ['outcome'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly queueTaskLatency = new Histogram({
    name: 'mainstay_queue_task_latency_seconds',
    help: 'Delay between a task falling due and a worker starting it',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly queueTaskDuration = new Histogram({
    name: 'mainstay_queue_task_duration_seconds',
    help: 'Time a task handler ran',
    labelNames: ['kind', 'outcome'] as const,
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });
  readonly queueTasks = new Counter({
    name: 'mainstay_queue_tasks_total',
    help: 'Tasks finished by outcome (done, retry, dead)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'mainstay_queue_depth',
    help: 'Tasks in the work queue by state (ready = due and unclaimed)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Includes nodejs_eventloop_lag_seconds and its percentiles.
    collectDefaultMetrics({ register: this.registry, prefix: 'mainstay_', eventLoopMonitoringPrecision: 20 });
  }

  private collectors: Array<() => Promise<void>> = [];

  /** Registers work to do just before a scrape (e.g. reading queue depth). */
  onCollect(fn: () => Promise<void>): void {
    this.collectors.push(fn);
  }

  async render(): Promise<string> {
    await Promise.all(this.collectors.map((fn) => fn().catch(() => {})));
    return this.registry.metrics();
  }
}
