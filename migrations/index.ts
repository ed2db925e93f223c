import { ImportContainers1764100000000 } from './1764100000000-ImportContainers';
import { ApiClients1764100001000 } from './1764100001000-ApiClients';
import { ImportOperations1764100002000 } from './1764100002000-ImportOperations';
import { Processing1764100003000 } from './1764100003000-Processing';
import { ProductTypes1764100004000 } from './1764100004000-ProductTypes';
import { CatalogBasics1764100005000 } from './1764100005000-CatalogBasics';
import { Products1764100006000 } from './1764100006000-Products';
import { ReferencedResources1764100007000 } from './1764100007000-ReferencedResources';
import { Commerce1764100008000 } from './1764100008000-Commerce';
import { ShardedSummaryCounts1764100009000 } from './1764100009000-ShardedSummaryCounts';
import { LeanerOperationIndexes1764100010000 } from './1764100010000-LeanerOperationIndexes';
import { AcceptOrder1764100011000 } from './1764100011000-AcceptOrder';
import { ProductDiscounts1764100012000 } from './1764100012000-ProductDiscounts';
import { ProcessingControl1764100013000 } from './1764100013000-ProcessingControl';
import { ImportEvents1764100014000 } from './1764100014000-ImportEvents';
import { FileImports1764100015000 } from './1764100015000-FileImports';
import { ContainerFinishedMarker1764100016000 } from './1764100016000-ContainerFinishedMarker';
import { Subscriptions1764100017000 } from './1764100017000-Subscriptions';
import { ImportProfiles1764100018000 } from './1764100018000-ImportProfiles';
import { DistributableTaskKeys1764100019000 } from './1764100019000-DistributableTaskKeys';
import { ThroughputIndex1764100019190 } from './1764100019190-ThroughputIndex';
import { LeanerAccept1764100020000 } from './1764100020000-LeanerAccept';
import { AcceptCounts1764100021000 } from './1764100021000-AcceptCounts';

/** Every migration, in order. A new migration is added here. */
export const MIGRATIONS = [
  ImportContainers1764100000000,
  ApiClients1764100001000,
  ImportOperations1764100002000,
  Processing1764100003000,
  ProductTypes1764100004000,
  CatalogBasics1764100005000,
  Products1764100006000,
  ReferencedResources1764100007000,
  Commerce1764100008000,
  ShardedSummaryCounts1764100009000,
  LeanerOperationIndexes1764100010000,
  AcceptOrder1764100011000,
  ProductDiscounts1764100012000,
  ProcessingControl1764100013000,
  ImportEvents1764100014000,
  FileImports1764100015000,
  ContainerFinishedMarker1764100016000,
  Subscriptions1764100017000,
  ImportProfiles1764100018000,
  DistributableTaskKeys1764100019000,
  ThroughputIndex1764100019190,
  LeanerAccept1764100020000,
  AcceptCounts1764100021000,
];
