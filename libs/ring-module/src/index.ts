export { RingModule } from './ring.module';
export { IngesterRing } from './ingester-ring';
export { FileTokensStore } from './tokens-file';
export { RING_KV, INGESTER_RING_KEY } from './tokens';
export { renderRingPage } from './ring-page';
