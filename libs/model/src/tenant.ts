/** Cortex's tenant when multi-tenancy is off (-auth.enabled=false). */
export const NO_AUTH_TENANT = 'fake';

const TENANT_CHARS = /^[a-zA-Z0-9!\-_.*'()]+$/;

/** Cortex's tenant ID rules; returns the problem or undefined. */
export function validateTenantId(id: string): string | undefined {
  if (id === '') return 'no org id: the X-Scope-OrgID header is required';
  if (id.length > 150) return `tenant ID is too long: ${id.length} characters, max 150`;
  if (id === '.' || id === '..') return `tenant ID ${JSON.stringify(id)} is not allowed`;
  if (!TENANT_CHARS.test(id)) return `tenant ID ${JSON.stringify(id)} contains unsupported characters: allowed are letters, digits and !-_.*'()`;
  return undefined;
}

/**
 * The tenant of a request from its X-Scope-OrgID header, or the status and message to refuse it
 * with (401 without one, 400 for a bad one). Without multi-tenancy every request is tenant "fake".
 */
export function tenantOf(header: string | string[] | undefined, authEnabled: boolean): { tenant: string } | { status: 400 | 401; message: string } {
  if (!authEnabled) return { tenant: NO_AUTH_TENANT };
  const tenant = typeof header === 'string' ? header.trim() : '';
  const problem = validateTenantId(tenant);
  return problem ? { status: tenant === '' ? 401 : 400, message: problem } : { tenant };
}
