export * from './containers/import-container.dto';
export * from './containers/import-containers.service';
export * from './import.module';
export * from './operations/import-operation.views';
export * from './operations/import-operations.service';
export * from './operations/import-requests.service';
export * from './resource-types';
