import { Module } from '@nestjs/common';
import { ImportContainersService } from './containers/import-containers.service';

@Module({
  providers: [ImportContainersService],
  exports: [ImportContainersService],
})
export class ImportModule {}
