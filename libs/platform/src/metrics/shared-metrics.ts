import { Counter, type CounterConfiguration, type Registry } from 'prom-client';

/**
 * A counter that several services in one process may both declare (the single-process app runs
 * distributor and ingester on one registry): the first declaration creates it, later ones get it.
 */
export function sharedCounter<T extends string>(registry: Registry, config: Omit<CounterConfiguration<T>, 'registers'>): Counter<T> {
  const existing = registry.getSingleMetric(config.name);
  if (existing) return existing as Counter<T>;
  return new Counter<T>({ ...config, registers: [registry] });
}
