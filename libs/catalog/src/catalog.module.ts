import { Module } from '@nestjs/common';
import { DomainReadService } from './read.service';
import { ReferencedResourcesService } from './referenced/referenced-resources.service';

@Module({ providers: [DomainReadService, ReferencedResourcesService], exports: [DomainReadService, ReferencedResourcesService] })
export class CatalogModule {}
