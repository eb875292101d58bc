import { Controller, Get, Headers, Inject, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { LOGGER, type Logger } from '@myelin/platform';
import { IngesterService, type TenantStatus } from './ingester.service';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());

function tenantsOf(q: string | string[] | undefined): string[] {
  return (Array.isArray(q) ? q : q ? [q] : []).flatMap((t) => t.split(',')).filter(Boolean);
}

/**
 * The ingester's admin API (../shared/spec/ring-and-readonly.md): /ingester/blocks tells what is
 * held locally and whether all of it is in object storage; /ingester/flush cuts and ships;
 * /ingester/shutdown flushes, ships, leaves the ring and stops the process.
 */
@Controller('ingester')
export class IngesterAdminController {
  constructor(
    private readonly ingester: IngesterService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get('blocks')
  async blocks(@Headers('accept') accept: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const status = await this.ingester.status();
    if (accept?.includes('text/html')) {
      reply.type('text/html; charset=utf-8').send(renderBlocks(status));
      return;
    }
    reply.send(status);
  }

  @Post('flush')
  async flush(@Query('tenant') tenant: string | string[] | undefined, @Query('wait') wait: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const run = this.ingester.flush(tenantsOf(tenant));
    if (wait !== 'true' && wait !== '1') {
      run.catch((e) => this.logger.error({ err: (e as Error).message }, 'flush failed'));
      reply.code(204).send();
      return;
    }
    const r = await run;
    reply.send({ cut: r.cut.map((b) => ({ tenant: b.tenant, ulid: b.ulid })), uploaded: r.uploaded, failedUploads: r.failed });
  }

  @Post('shutdown')
  async shutdown(@Res() reply: FastifyReply): Promise<void> {
    await this.ingester.stop({ flush: true, unregister: true });
    reply.code(200).type('text/plain').send('ingester flushed, shipped and unregistered; stopping\n');
    // The process's own shutdown path closes everything else.
    setTimeout(() => process.kill(process.pid, 'SIGTERM'), 50).unref();
  }
}

function renderBlocks(s: { tenants: TenantStatus[]; allInObjectStorage: boolean; unshippedBlocks: number; unflushedSamples: number }): string {
  const rows = s.tenants
    .map(
      (t) =>
        t.blocks
          .map((b) => `<tr><td>${esc(t.tenant)}</td><td>${b.ulid}</td><td>${iso(b.minTime)}</td><td>${iso(b.maxTime)}</td><td>${b.series}</td><td>${b.samples}</td><td>${b.sizeBytes}</td><td>${b.shipped ? `yes (${iso(b.shippedAt)})` : '<b>no</b>'}</td></tr>`)
          .join('\n') +
        `<tr class="head"><td>${esc(t.tenant)}</td><td>head (not in a block)</td><td>${iso(t.head.minTime)}</td><td>${iso(t.head.maxTime)}</td><td>${t.head.series}</td><td>${t.head.samples}</td><td></td><td></td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Ingester blocks</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}tr.head{background:#eef}</style></head>
<body><h1>Ingester blocks</h1>
<p>Everything in object storage: <b>${s.allInObjectStorage ? 'yes' : 'no'}</b> (${s.unshippedBlocks} blocks not shipped, ${s.unflushedSamples} samples not in a block).</p>
<table><thead><tr><th>Tenant</th><th>Block</th><th>Min time</th><th>Max time</th><th>Series</th><th>Samples</th><th>Bytes</th><th>Shipped</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}
