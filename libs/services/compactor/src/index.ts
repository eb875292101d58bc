export { CompactorModule } from './compactor.module';
