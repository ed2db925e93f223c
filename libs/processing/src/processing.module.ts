import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ProcessorRunner } from './processor.runner';
import { ProcessorService } from './processor.service';
import { ReaperService } from './reaper.service';

/** The background roles: the processor and the reaper (each active only when WORKER_ROLES names it). */
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [ProcessorService, ProcessorRunner, ReaperService],
  exports: [ProcessorService, ProcessorRunner, ReaperService],
})
export class ProcessingModule {}
