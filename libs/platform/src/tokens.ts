/** Nest injection tokens for what every service gets from the platform (never globals). */
export const CONFIG = Symbol('myelin.config');
export const LOGGER = Symbol('myelin.logger');
export const METRICS_REGISTRY = Symbol('myelin.metrics-registry');
export const CLOCK = Symbol('myelin.clock');
/** Per-tenant limits: the flags, overridden per tenant by -runtime-config.file (TenantLimitsProvider). */
export const TENANT_LIMITS = Symbol('myelin.tenant-limits');
