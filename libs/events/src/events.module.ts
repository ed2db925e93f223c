import { Module } from '@nestjs/common';
import { EventNotifications } from './event-notifications';
import { EventStreamsService } from './event-streams.service';
import { ImportEventsService } from './import-events.service';

/** Reading the event log: the paged list and the SSE streams (recording is `recordEvent`, in the caller's transaction). */
@Module({
  providers: [ImportEventsService, EventNotifications, EventStreamsService],
  exports: [ImportEventsService, EventNotifications, EventStreamsService],
})
export class EventsModule {}
