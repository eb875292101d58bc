// Myelin in one process (Cortex's -target=all): the four service modules in one Nest application,
// with embedded defaults for one machine: in-memory ring, blocks on the local filesystem under
// ./data, no multi-tenancy (tenant "fake"), one replica. -target=<service> runs just one of them.
import 'reflect-metadata';
import { runMain } from '@myelin/platform';
import { CompactorModule } from '@myelin/service-compactor';
import { DistributorModule } from '@myelin/service-distributor';
import { IngesterModule } from '@myelin/service-ingester';
import { QuerierModule } from '@myelin/service-querier';

void runMain({
  program: 'myelin',
  // In one process the distributor reaches its own ingester: advertise loopback, not the host name.
  defaults: { target: 'all', 'auth.enabled': false, 'distributor.replication-factor': 1, 'ring.instance-addr': '127.0.0.1' },
  services: {
    distributor: DistributorModule,
    ingester: IngesterModule,
    querier: QuerierModule,
    compactor: CompactorModule,
  },
});
