export * from './containers/import-container.dto';
export * from './containers/import-containers.service';
export * from './import.module';
export * from './resource-types';
