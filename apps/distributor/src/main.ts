// The distributor binary: wires the distributor service module into a Myelin process. No logic lives here.
import 'reflect-metadata';
import { runMain } from '@myelin/platform';
import { DistributorModule } from '@myelin/service-distributor';

void runMain({ program: 'distributor', defaults: { target: 'distributor' }, services: { distributor: DistributorModule } });
