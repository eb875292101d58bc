import { Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Target } from './config/options';
import { registerBodyParsers, registerRequestMetrics } from './http/fastify-setup';
import { NestPinoLogger } from './logging/logger';
import { type PlatformContext, PlatformModule } from './platform.module';

export type ServiceName = Exclude<Target, 'all'>;

/** The Nest modules a binary can run, by service name. */
export type ServiceModules = Partial<Record<ServiceName, Type<unknown>>>;

/**
 * The modules to run for a target: `all` runs every module the binary has, a service name runs
 * that one. A binary asked for a service it does not contain gets an error naming the key.
 */
export function modulesForTarget(target: Target, services: ServiceModules): Type<unknown>[] | string {
  if (target === 'all') return Object.values(services);
  const module = services[target];
  if (!module) {
    return `invalid value "${target}" for target: this binary runs ${Object.keys(services).join(', ')}`;
  }
  return [module];
}

/**
 * Builds (but does not start) the Nest application: the platform module, the given service
 * modules, Fastify with Myelin's body handling and request metrics.
 */
export async function createMyelinApp(ctx: PlatformContext, modules: Type<unknown>[]): Promise<NestFastifyApplication> {
  @Module({ imports: [PlatformModule.forRoot(ctx), ...modules] })
  class RootModule {}

  const bodyLimit = ctx.config['distributor.max-recv-msg-size'];
  const adapter = new FastifyAdapter({ bodyLimit, logger: false });
  const app = await NestFactory.create<NestFastifyApplication>(RootModule, adapter, {
    logger: new NestPinoLogger(ctx.logger),
    abortOnError: false,
    bodyParser: true,
  });
  const fastify = app.getHttpAdapter().getInstance();
  registerBodyParsers(fastify, bodyLimit);
  registerRequestMetrics(fastify, ctx.registry);
  return app;
}
