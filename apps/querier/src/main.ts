// The querier binary: wires the querier service module into a Myelin process. No logic lives here.
import 'reflect-metadata';
import { runMain } from '@myelin/platform';
import { QuerierModule } from '@myelin/service-querier';

void runMain({ program: 'querier', defaults: { target: 'querier' }, services: { querier: QuerierModule } });
