import { Type } from '@nestjs/common';

/** Controllers of the referenced-only resources (channels, tax categories, …): POST, GET by key, paged GET. */
export const REFERENCED_CONTROLLERS: Array<Type<unknown>> = [];
