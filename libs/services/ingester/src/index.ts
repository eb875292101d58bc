export { IngesterModule } from './ingester.module';
