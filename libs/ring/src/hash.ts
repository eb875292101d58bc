/**
 * 32-bit FNV-1 (multiply, then xor) over the UTF-8 bytes of strings, as Cortex shards series:
 * the tenant ID, then the metric name (or every label name and value when sharding by all
 * labels), so a series lands on the same ingesters as it would in Cortex.
 */
export const FNV32_OFFSET = 2166136261;
const FNV32_PRIME = 16777619;

const encoder = new TextEncoder();

/** Folds the UTF-8 bytes of `s` into the running hash `h`. */
export function fnv1Add32(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return fnv1AddBytes32(h, encoder.encode(s.slice(i)));
    h = Math.imul(h, FNV32_PRIME) ^ c;
  }
  return h >>> 0;
}

export function fnv1AddBytes32(h: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h, FNV32_PRIME) ^ bytes[i];
  return h >>> 0;
}

/** The ring key of a series when sharding by metric name (Cortex's default). */
export function shardByMetricName(tenant: string, metricName: string): number {
  return fnv1Add32(fnv1Add32(FNV32_OFFSET, tenant), metricName);
}

/** The ring key of a series when sharding by all labels; labels sorted by name, as on the wire. */
export function shardByAllLabels(tenant: string, labels: ReadonlyArray<{ name: string; value: string }>): number {
  let h = fnv1Add32(FNV32_OFFSET, tenant);
  for (const l of labels) {
    h = fnv1Add32(h, l.name);
    h = fnv1Add32(h, l.value);
  }
  return h;
}
