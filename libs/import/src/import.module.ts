import { Module } from '@nestjs/common';
import { ContainerCloneService } from './containers/container-clone.service';
import { ContainerStatusService } from './containers/container-status.service';
import { ContainerTasksService } from './containers/container-tasks.service';
import { FileImportsService } from './file-imports/file-imports.service';
import { ImportContainersService } from './containers/import-containers.service';
import { ImportOperationsService } from './operations/import-operations.service';
import { ImportRequestsService } from './operations/import-requests.service';

@Module({
  providers: [ImportContainersService, ImportRequestsService, ImportOperationsService, ContainerStatusService, ContainerTasksService, ContainerCloneService, FileImportsService],
  exports: [ImportContainersService, ImportRequestsService, ImportOperationsService, ContainerStatusService, ContainerTasksService, ContainerCloneService, FileImportsService],
})
export class ImportModule {}
