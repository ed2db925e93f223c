import { Module } from '@nestjs/common';
import { ImportContainersService } from './containers/import-containers.service';
import { ImportOperationsService } from './operations/import-operations.service';
import { ImportRequestsService } from './operations/import-requests.service';

@Module({
  providers: [ImportContainersService, ImportRequestsService, ImportOperationsService],
  exports: [ImportContainersService, ImportRequestsService, ImportOperationsService],
})
export class ImportModule {}
