import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { KeyReference } from '../../catalog/src/references';
import { ResourcesCreatedListener } from '../../catalog/src/referenced/resources-created';
import { wakeWaitingOperations } from '../../queue/src/waits';

/**
 * The pipeline's ResourcesCreatedListener: resources created outside an import (referenced-resources API, seed
 * command) wake the import operations waiting for their keys, once their transaction has committed.
 */
@Injectable()
export class WakeWaitingOperationsListener implements ResourcesCreatedListener {
  constructor(private readonly dataSource: DataSource) {}

  async created(projectKey: string, references: KeyReference[]): Promise<void> {
    await wakeWaitingOperations(this.dataSource, projectKey, references);
  }
}
