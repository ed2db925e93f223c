import { DynamicModule, Module, Type } from '@nestjs/common';
import { DomainReadService } from './read.service';
import { ReferencedResourcesService } from './referenced/referenced-resources.service';
import { RESOURCES_CREATED_LISTENERS, ResourcesCreatedListener } from './referenced/resources-created';

@Module({ providers: [DomainReadService, ReferencedResourcesService], exports: [DomainReadService, ReferencedResourcesService] })
export class CatalogModule {
  /**
   * The module with listeners told after referenced resources are created (RESOURCES_CREATED_LISTENERS): the app
   * passes the pipeline's, which wakes import operations waiting for the new keys. Without, nobody is told.
   */
  static withResourcesCreatedListeners(listeners: Array<Type<ResourcesCreatedListener>>): DynamicModule {
    return {
      module: CatalogModule,
      providers: [...listeners, { provide: RESOURCES_CREATED_LISTENERS, useFactory: (...instances: ResourcesCreatedListener[]) => instances, inject: listeners }],
    };
  }
}
