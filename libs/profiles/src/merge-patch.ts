/**
 * JSON Merge Patch (RFC 7396): a patch object's members replace the target's, `null` removes a member, nested
 * objects merge recursively, and anything that is not an object (arrays included) replaces the value whole.
 * Pure; returns a new value and never mutates its inputs.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete result[name];
    else if (name === '__proto__') continue;
    else result[name] = applyMergePatch(result[name], value);
  }
  return result;
}
