import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../../config/src';
import { BadRequest, ErrorObject } from '../../../common/src';
import { ResourceTypeInfo } from '../resource-types';
import { ImportResourceType, MAX_REPORTED_ERRORS, resourceKeyOf, validateImportRequest } from '../validation/import-request.validator';
import { ImportResponseView } from './import-operation.views';
import { insertRequestOperations, newOperationIds, OperationsNotifier } from '../../../queue/src';

/** SQLSTATE numeric_value_out_of_range. */
const NUMERIC_OUT_OF_RANGE = '22003';

@Injectable()
export class ImportRequestsService implements OnApplicationShutdown {
  private readonly logger = new Logger('ImportRequests');
  /** Wakes the processors after each accept's commit, the notifications of concurrent accepts coalesced. */
  private readonly notifier: OperationsNotifier;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {
    this.notifier = new OperationsNotifier(dataSource, (error) =>
      // The processors' poll picks the operations up; nothing is lost.
      this.logger.warn(`could not notify the processors of accepted operations (they poll): ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.notifier.flush();
  }

  /**
   * Validates the whole request, then stores one operation per resource in one statement: all or
   * nothing. Answers only after the commit, so every acknowledged operation is durable. `bodyJson` is the text
   * `body` was parsed from, when the caller has it: the resources are stored from it (Postgres parses it once
   * more anyway), which saves serialising the parsed body again.
   */
  async accept(projectKey: string, containerKey: string, info: ResourceTypeInfo, body: unknown, bodyJson?: string): Promise<ImportResponseView> {
    const problems = validateImportRequest(info.type as ImportResourceType, body);
    if (problems.length > 0) {
      const message =
        problems.length === 1
          ? problems[0].message
          : problems.length >= MAX_REPORTED_ERRORS
            ? `The request contains at least ${problems.length} invalid fields; the first ${MAX_REPORTED_ERRORS} within the resources are listed.`
            : `The request contains ${problems.length} invalid fields.`;
      throw new BadRequest(problems as unknown as ErrorObject[], message);
    }
    const items = (body as Record<string, unknown>)[info.itemsField] as Array<Record<string, unknown>>;
    const ids = newOperationIds(items.length);
    const keys = items.map((item) => resourceKeyOf(info.type as ImportResourceType, item));

    // One statement, so one atomic transaction and one round trip: lock the container row (a concurrent
    // delete waits for us), take the accept-order lock of every resource key, insert every operation
    // only if the container accepts the type and is not canceled — all of it or nothing, committed before
    // the 201 is sent. The processors are notified after the commit (OperationsNotifier).
    //
    // Order per key: the key locks (transaction-scoped, taken in one fixed order so accepts never
    // deadlock) are held until commit, and the clock and the sequence are read only once they are held.
    // So of two accepts of one key, the one that commits later gets the later (created_at, seq), whatever
    // connection or process ran it; the processor applies and `sort=createdAt` lists in that order.
    const result = await insertRequestOperations(this.dataSource, containerKey, {
      projectKey,
      resourceType: info.type,
      ttlHours: this.config.operationTtlHours,
      ids,
      keys,
      body: bodyJson ?? JSON.stringify(body),
      itemsField: info.itemsField,
    }).catch((error: unknown) => {
      // JSON that JavaScript reads but Postgres cannot store: a number beyond numeric's range (more than 131,072
      // digits before the point or 16,383 after it). Validation saw it as a double (e.g. 0), Postgres keeps it
      // exactly; nothing was stored.
      if ((error as { code?: string }).code === NUMERIC_OUT_OF_RANGE) {
        const message = 'The request body holds a number with more digits than can be stored.';
        throw new BadRequest([{ code: 'InvalidJsonInput', message }], message);
      }
      throw error;
    });
    if (result.containers === 0) {
      throw new BadRequest([{ code: 'InvalidInput', message: 'Import container key in uri does not exist.' }], 'Import container key in uri does not exist.');
    }
    if (result.processing_state === 'canceled') {
      // A cancel's mark waits for accepts holding the row FOR SHARE; every accept after it lands here.
      const message = `The import container '${containerKey}' is canceled and accepts no new import requests.`;
      throw new BadRequest([{ code: 'InvalidOperation', message }], message);
    }
    if (result.inserted !== ids.length) {
      const message = `The import container '${containerKey}' accepts only resources of type '${result.resource_type}', not '${info.type}'.`;
      throw new BadRequest([{ code: 'InvalidInput', message }], message);
    }
    this.notifier.notify(projectKey);
    return { operationStatus: ids.map((operationId) => ({ operationId, state: 'processing' as const })) };
  }
}
