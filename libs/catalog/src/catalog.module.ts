import { Module } from '@nestjs/common';
import { DomainReadService } from './read.service';

@Module({ providers: [DomainReadService], exports: [DomainReadService] })
export class CatalogModule {}
