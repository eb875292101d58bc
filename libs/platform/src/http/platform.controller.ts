import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { stringify } from 'yaml';
import { type MyelinConfig } from '../config/options';
import { configDocument } from '../config/redact';
import { Readiness } from '../readiness';
import { TenantLimitsProvider } from '../config/runtime-config';
import { CONFIG, METRICS_REGISTRY, TENANT_LIMITS } from '../tokens';

/** Endpoints every Myelin process answers, whatever it runs: /ready, /metrics, /config, /runtime_config. */
@Controller()
export class PlatformController {
  constructor(
    private readonly readiness: Readiness,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(CONFIG) private readonly config: MyelinConfig,
    @Inject(TENANT_LIMITS) private readonly tenantLimits: TenantLimitsProvider,
  ) {}

  @Get('ready')
  ready(@Res() reply: FastifyReply): void {
    const reasons = this.readiness.notReadyReasons();
    reply.type('text/plain; charset=utf-8');
    if (reasons.length === 0) reply.code(200).send('ready\n');
    else reply.code(503).send(`not ready: ${reasons.join('; ')}\n`);
  }

  @Get('metrics')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.registry.metrics();
    reply.code(200).type(this.registry.contentType).send(text);
  }

  /** The effective configuration as YAML (Cortex's /config), secrets redacted. */
  @Get('config')
  configText(@Res() reply: FastifyReply): void {
    reply.code(200).type('text/yaml; charset=utf-8').send(stringify(configDocument(this.config)));
  }

  /** The per-tenant overrides in force (Cortex's /runtime_config), as YAML. */
  @Get('runtime_config')
  runtimeConfig(@Res() reply: FastifyReply): void {
    reply.code(200).type('text/yaml; charset=utf-8').send(stringify({ overrides: this.tenantLimits.describe() }));
  }
}
