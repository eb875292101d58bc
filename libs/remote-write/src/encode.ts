import type { Labels } from '@myelin/model';
import { ProtoWriter, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './protobuf';

/** A series as a sender builds it (tests, benchmarks, load tools). */
export interface SeriesToWrite {
  labels: Labels;
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** Encodes `prometheus.WriteRequest` (remote write 1.0), as Prometheus sends it (before snappy). */
export function encodeWriteRequestV1(series: readonly SeriesToWrite[], metadata = 0): Uint8Array {
  const w = new ProtoWriter();
  for (const s of series) {
    w.message(1, (ts) => {
      for (const l of s.labels) {
        ts.message(1, (lw) => {
          lw.tag(1, WIRE_LEN).string(l.name);
          lw.tag(2, WIRE_LEN).string(l.value);
        });
      }
      for (let i = 0; i < s.timestamps.length; i++) {
        ts.message(2, (sw) => {
          sw.tag(1, WIRE_FIXED64).double(s.values[i]);
          sw.tag(2, WIRE_VARINT).varint(s.timestamps[i]);
        });
      }
    });
  }
  for (let i = 0; i < metadata; i++) {
    w.message(3, (m) => {
      m.tag(1, WIRE_VARINT).varint(1);
      m.tag(2, WIRE_LEN).string(`metric_${i}`);
    });
  }
  return w.finish();
}

/** Encodes `io.prometheus.write.v2.Request` (remote write 2.0) with a de-duplicated symbol table. */
export function encodeWriteRequestV2(series: readonly SeriesToWrite[]): Uint8Array {
  const symbols = [''];
  const index = new Map<string, number>([['', 0]]);
  const ref = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = symbols.length;
      symbols.push(s);
      index.set(s, i);
    }
    return i;
  };
  const refsPerSeries = series.map((s) => s.labels.flatMap((l) => [ref(l.name), ref(l.value)]));
  const w = new ProtoWriter();
  for (const s of symbols) w.tag(4, WIRE_LEN).string(s);
  series.forEach((s, n) => {
    w.message(5, (ts) => {
      const packed = new ProtoWriter();
      for (const r of refsPerSeries[n]) packed.varint(r);
      ts.tag(1, WIRE_LEN).bytes(packed.finish());
      for (let i = 0; i < s.timestamps.length; i++) {
        ts.message(2, (sw) => {
          sw.tag(1, WIRE_FIXED64).double(s.values[i]);
          sw.tag(2, WIRE_VARINT).varint(s.timestamps[i]);
        });
      }
    });
  });
  return w.finish();
}
