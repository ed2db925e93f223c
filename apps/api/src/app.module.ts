import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { BerthConfig, ConfigModule } from '../../../libs/config/src';
import { DatabaseModule } from '../../../libs/database/src';
import { CtExceptionFilter, createValidationPipe, loggerParams } from '../../../libs/common/src';
import { LoggerModule } from 'nestjs-pino';
import { AuthGuard, AuthModule } from '../../../libs/auth/src';
import { ImportModule } from '../../../libs/import/src';
import { ProcessingModule, WakeWaitingOperationsListener } from '../../../libs/processing/src';
import { CatalogModule } from '../../../libs/catalog/src';
import { WebhooksModule } from '../../../libs/webhooks/src';
import { READ_CONTROLLERS } from './domain/read.controllers';
import { REFERENCED_CONTROLLERS } from './domain/referenced.controllers';
import { OrdersController } from './domain/orders.controller';
import { HealthController } from './health/health.controller';
import { MetricsController } from './health/metrics.controller';
import { OAuthController } from './oauth/oauth.controller';
import { ImportOperationsController } from './import-operations/import-operations.controller';
import { IMPORT_REQUEST_CONTROLLERS } from './import-requests/import-requests.controllers';
import { ImportContainersController } from './import-containers/import-containers.controller';
import { ImportContainerTasksController } from './import-containers/import-container-tasks.controller';
import { FileImportsController } from './file-imports/file-imports.controller';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { ImportContainerCloneController } from './import-containers/import-container-clone.controller';
import { ImportProfilesController } from './import-profiles/import-profiles.controller';
import { ProfilesModule } from '../../../libs/profiles/src';
import { EventsModule } from '../../../libs/events/src';
import { ImportEventsController } from './import-events/import-events.controller';
import { DashboardModule } from './dashboard/dashboard.module';

@Module({})
export class AppModule {
  static register(config: BerthConfig, dataSource: DataSource): DynamicModule {
    return {
      module: AppModule,
      imports: [LoggerModule.forRoot(loggerParams(config.logLevel)), ConfigModule.forRoot(config), DatabaseModule.forDataSource(dataSource), TerminusModule, AuthModule, ImportModule, ProcessingModule, CatalogModule.withResourcesCreatedListeners([WakeWaitingOperationsListener]), ProfilesModule, WebhooksModule, EventsModule, DashboardModule],
      controllers: [HealthController, MetricsController, OAuthController, ImportContainersController, ImportContainerTasksController, ImportContainerCloneController, ImportProfilesController, ImportEventsController, FileImportsController, ImportOperationsController, ...IMPORT_REQUEST_CONTROLLERS, ...REFERENCED_CONTROLLERS, OrdersController, ...READ_CONTROLLERS, SubscriptionsController],
      providers: [
        { provide: APP_FILTER, useClass: CtExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
