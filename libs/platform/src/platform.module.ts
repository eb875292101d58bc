import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { type Clock } from './clock';
import { type MyelinConfig } from './config/options';
import { TenantLimitsProvider } from './config/runtime-config';
import { PlatformController } from './http/platform.controller';
import { Readiness } from './readiness';
import { CLOCK, CONFIG, LOGGER, METRICS_REGISTRY, TENANT_LIMITS } from './tokens';

/** What one process shares with every service module in it. */
export interface PlatformContext {
  config: MyelinConfig;
  logger: Logger;
  registry: Registry;
  clock: Clock;
  readiness: Readiness;
  /** Per-tenant limits (flags plus -runtime-config.file); the flags alone when absent. */
  tenantLimits?: TenantLimitsProvider;
}

/**
 * Provides the process-wide services (config, logger, metrics registry, clock, readiness, tenant
 * limits) under their tokens, and serves /ready, /metrics, /config and /runtime_config.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(ctx: PlatformContext): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [PlatformController],
      providers: [
        { provide: CONFIG, useValue: ctx.config },
        { provide: LOGGER, useValue: ctx.logger },
        { provide: METRICS_REGISTRY, useValue: ctx.registry },
        { provide: CLOCK, useValue: ctx.clock },
        { provide: Readiness, useValue: ctx.readiness },
        { provide: TENANT_LIMITS, useValue: ctx.tenantLimits ?? new TenantLimitsProvider(ctx.config) },
      ],
      exports: [CONFIG, LOGGER, METRICS_REGISTRY, CLOCK, Readiness, TENANT_LIMITS],
    };
  }
}
