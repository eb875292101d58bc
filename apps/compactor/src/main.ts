// The compactor binary: wires the compactor service module into a Myelin process. No logic lives here.
import 'reflect-metadata';
import { runMain } from '@myelin/platform';
import { CompactorModule } from '@myelin/service-compactor';

void runMain({ program: 'compactor', defaults: { target: 'compactor' }, services: { compactor: CompactorModule } });
