import { Module } from '@nestjs/common';
import { TickTrace } from './tick-trace.js';

/** The processor's tick trace, one histogram for the app: the handler and the store both observe it. */
@Module({
  providers: [TickTrace],
  exports: [TickTrace],
})
export class TraceModule {}
