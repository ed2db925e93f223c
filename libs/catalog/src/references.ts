/** A reference by key as the Import API carries it (`{typeId, key}`). */
export interface KeyReference {
  typeId: string;
  key: string;
}

/** Where resources of one reference `typeId` live, so any applier can resolve references to them. */
export interface ReferenceTarget {
  typeId: string;
  /** Domain table with columns project_key, id, key. */
  table: string;
  /** Column holding the key the references use (default `key`). */
  keyColumn?: string;
}

export const referenceId = (reference: KeyReference) => `${reference.typeId}:${reference.key}`;

/** Collects `{typeId, key}` objects found anywhere in a value (references nested in attributes, custom fields, …). */
export function collectKeyReferences(value: unknown, out: KeyReference[] = []): KeyReference[] {
  if (Array.isArray(value)) {
    for (const item of value) collectKeyReferences(item, out);
  } else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.typeId === 'string' && typeof record.key === 'string' && Object.keys(record).every((k) => k === 'typeId' || k === 'key')) {
      out.push({ typeId: record.typeId, key: record.key });
    } else {
      for (const nested of Object.values(record)) collectKeyReferences(nested, out);
    }
  }
  return out;
}

export function uniqueReferences(references: KeyReference[]): KeyReference[] {
  const seen = new Map<string, KeyReference>();
  for (const reference of references) seen.set(referenceId(reference), reference);
  return [...seen.values()];
}
