/**
 * The events Berth records (SPEC section 8, issue 18). Every change of a container, a task, a file
 * import, a profile, a subscription or an API client is recorded in `import_events` in the same
 * transaction as the change (see `recordEvent`).
 */
export const EVENT_TYPES = [
  'ImportContainerCreated',
  'ImportContainerUpdated',
  'ImportContainerDeleted',
  'ImportContainerPaused',
  'ImportContainerResumed',
  'ImportContainerCanceled',
  'ImportContainerFinished',
  'FileImportCreated',
  'FileImportCompleted',
  'FileImportFailed',
  'FileImportCanceled',
  'ImportProfileCreated',
  'ImportProfileUpdated',
  'ImportProfileDeleted',
  'SubscriptionCreated',
  'SubscriptionUpdated',
  'SubscriptionDeleted',
  'SubscriptionDisabled',
  'ApiClientCreated',
  'ApiClientDeleted',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_RESOURCE_TYPE_IDS = ['import-container', 'file-import', 'import-profile', 'subscription', 'api-client'] as const;
export type EventResourceTypeId = (typeof EVENT_RESOURCE_TYPE_IDS)[number];

/** What an event is about: containers, profiles and subscriptions by key; file imports and API clients by id. */
export interface EventResource {
  typeId: EventResourceTypeId;
  key?: string;
  id?: string;
}

/** An event as the API shows it (`GET /{projectKey}/import-events`, the SSE stream, webhook bodies). */
export interface ImportEvent {
  id: string;
  sequenceNumber: number;
  projectKey: string;
  type: EventType;
  resource: EventResource;
  /** The API client that made the change; absent for changes made by Berth itself (the processor, the reaper). */
  actor?: string;
  createdAt: string;
  data: Record<string, unknown>;
}

/** An event to record. */
export interface NewEvent {
  projectKey: string;
  type: EventType;
  resource: EventResource;
  actor?: string;
  data?: Record<string, unknown>;
}

export interface ImportEventRow {
  id: string;
  sequence_number: string;
  project_key: string;
  type: EventType;
  resource_type_id: EventResourceTypeId;
  resource_key: string | null;
  resource_id: string | null;
  actor: string | null;
  created_at: Date;
  data: Record<string, unknown>;
}

export const EVENT_COLUMNS = 'id, sequence_number, project_key, type, resource_type_id, resource_key, resource_id, actor, created_at, data';

export function toEventView(row: ImportEventRow): ImportEvent {
  return {
    id: row.id,
    sequenceNumber: Number(row.sequence_number),
    projectKey: row.project_key,
    type: row.type,
    resource: {
      typeId: row.resource_type_id,
      ...(row.resource_key !== null ? { key: row.resource_key } : {}),
      ...(row.resource_id !== null ? { id: row.resource_id } : {}),
    },
    ...(row.actor !== null ? { actor: row.actor } : {}),
    createdAt: row.created_at.toISOString(),
    data: row.data,
  };
}
