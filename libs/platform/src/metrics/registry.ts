import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** A fresh registry per process with the process and Node.js metrics; never prom-client's global. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Cortex's request histogram (same name and labels, so Cortex dashboards read it). */
export function createRequestDuration(registry: Registry): Histogram<'method' | 'route' | 'status_code' | 'ws'> {
  return new Histogram({
    name: 'cortex_request_duration_seconds',
    help: 'Time (in seconds) spent serving HTTP requests.',
    labelNames: ['method', 'route', 'status_code', 'ws'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100],
    registers: [registry],
  });
}
