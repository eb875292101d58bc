export { QuerierModule } from './querier.module';
