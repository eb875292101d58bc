// The ingester binary: wires the ingester service module into a Myelin process. No logic lives here.
import 'reflect-metadata';
import { runMain } from '@myelin/platform';
import { IngesterModule } from '@myelin/service-ingester';

void runMain({ program: 'ingester', defaults: { target: 'ingester' }, services: { ingester: IngesterModule } });
