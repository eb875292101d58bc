export { DistributorModule } from './distributor.module';
