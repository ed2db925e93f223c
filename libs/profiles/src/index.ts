export * from './import-profile.views';
export * from './import-profiles.service';
export * from './mapping-targets';
export * from './merge-patch';
export * from './profile-document';
export * from './profiles.module';
