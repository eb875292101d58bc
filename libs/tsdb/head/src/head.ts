import type { Queryable, Querier } from '@myelin/storage';
import { TenantHead } from './tenant-head';

/** The ingester's in-memory data: one TenantHead per tenant, series refs unique across them. */
export class Head {
  private readonly tenants = new Map<string, TenantHead>();
  private nextRef = 1;
  private readonly refs = { next: () => this.nextRef++ };

  tenant(tenant: string): TenantHead {
    let head = this.tenants.get(tenant);
    if (!head) this.tenants.set(tenant, (head = new TenantHead(tenant, this.refs)));
    return head;
  }

  existingTenant(tenant: string): TenantHead | undefined {
    return this.tenants.get(tenant);
  }

  tenantIds(): string[] {
    return [...this.tenants.keys()].sort();
  }

  /** After WAL replay: new refs must not collide with replayed ones. */
  reserveRefsUpTo(ref: number): void {
    if (ref >= this.nextRef) this.nextRef = ref + 1;
  }

  /** The Queryable of one tenant's head (empty for a tenant with no data). */
  queryable(tenant: string): Queryable {
    return {
      querier: async (mint, maxt): Promise<Querier> => (this.tenants.get(tenant) ?? new TenantHead(tenant, this.refs)).querier(mint, maxt),
    };
  }
}
