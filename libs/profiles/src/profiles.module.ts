import { Module } from '@nestjs/common';
import { ImportProfilesService } from './import-profiles.service';

@Module({
  providers: [ImportProfilesService],
  exports: [ImportProfilesService],
})
export class ProfilesModule {}
