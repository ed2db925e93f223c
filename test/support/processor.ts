import { ProcessorService } from '../../libs/processing/src';
import { TestApp } from './test-app';

/** Drives the processor deterministically: batches until nothing is claimable. */
export const drain = (t: TestApp) => t.app.get(ProcessorService).drain();
