/** Nest injection tokens for what every service gets from the platform (never globals). */
export const CONFIG = Symbol('myelin.config');
export const LOGGER = Symbol('myelin.logger');
export const METRICS_REGISTRY = Symbol('myelin.metrics-registry');
export const CLOCK = Symbol('myelin.clock');
