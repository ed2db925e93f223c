import { ErrorObject, invalidField } from './errors';

/**
 * Limits on hostile input, checked at the edge (create-app.ts) before anything recursive (class-transformer,
 * class-validator, ajv, JSON.stringify of errors) sees a request. Each is far above what a commercetools payload
 * needs: the official examples nest 9 levels deep, hold at most 12 keys per object and 20 resources per request.
 */
export const INPUT_LIMITS = {
  /** Nesting depth of a JSON body (an object or array counts one level; scalars do not). */
  maxJsonDepth: 64,
  /** Elements of one JSON array. */
  maxArrayLength: 10_000,
  /** Keys of one JSON object. */
  maxObjectKeys: 1_000,
  /** UTF-16 code units of one JSON string value. */
  maxStringLength: 262_144,
  /** UTF-16 code units of one JSON object key. */
  maxKeyLength: 1_024,
  /** Characters of the request target (path and query) → 414 beyond. */
  maxUrlLength: 16_384,
  /** Bytes of all header lines (names, values, separators; request line excluded) → 431 beyond. */
  maxHeaderBytes: 16_384,
  /** Node's HTTP parser limit (request line + headers); above ours so that we, not Node, answer 414/431 in most cases. */
  parserMaxHeaderSize: 65_536,
} as const;

/** Largest value of a Postgres `integer` column (versions). */
export const MAX_PG_INTEGER = 2_147_483_647;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Text Postgres cannot store: NUL (rejected by `text` and `jsonb`) and unpaired UTF-16 surrogates (rejected by
 * `jsonb` as `\ud800` escapes). Returns a description of the problem, or undefined when the text is storable.
 */
export function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'it contains a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'it contains an unpaired UTF-16 surrogate';
  return undefined;
}

function preview(value: string): string {
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 120)}...` : json;
}

interface PathNode {
  parent: PathNode | undefined;
  segment: string;
}

function pathOf(node: PathNode | undefined): string[] {
  const segments: string[] = [];
  for (let cur = node; cur; cur = cur.parent) segments.push(cur.segment);
  return segments.reverse();
}

export interface InputProblem {
  /** 400 for everything found here. */
  statusCode: 400;
  error: ErrorObject;
}

/** `resourceIndex` for a field inside `resources.N` / `patches.N`, as the import request validator reports it. */
function located(segments: string[]): Record<string, unknown> {
  return (segments[0] === 'resources' || segments[0] === 'patches') && segments.length > 1 && /^\d+$/.test(segments[1]) ? { resourceIndex: Number(segments[1]) } : {};
}

/** Any character that may make text unstorable (NUL, or a surrogate — paired ones are fine, see unstorableText). */
const MAYBE_UNSTORABLE = /[\u0000\ud800-\udfff]/;

/**
 * The common case, fast: true when the body surely passes every check of checkInput. One iterative pass (no
 * recursion) that tracks no paths and allocates only its stack; it is conservative (a paired surrogate makes it
 * answer false), so a false only means checkInput must walk again to find and describe the problem, if any.
 */
function surelyValid(root: unknown, limits: typeof INPUT_LIMITS): boolean {
  if (root === null || typeof root !== 'object') return typeof root !== 'string' || (root.length <= limits.maxStringLength && !MAYBE_UNSTORABLE.test(root));
  const values: unknown[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limits.maxJsonDepth) return false;
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayLength) return false;
      for (let i = 0; i < value.length; i++) {
        const child: unknown = value[i];
        if (typeof child === 'string') {
          if (child.length > limits.maxStringLength || MAYBE_UNSTORABLE.test(child)) return false;
        } else if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > limits.maxObjectKeys) return false;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key.length > limits.maxKeyLength || MAYBE_UNSTORABLE.test(key)) return false;
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === 'string') {
        if (child.length > limits.maxStringLength || MAYBE_UNSTORABLE.test(child)) return false;
      } else if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return true;
}

/**
 * Walks a parsed body (JSON or form) ITERATIVELY — no recursion, so any depth is safe — and returns the first
 * problem: too deep, too many elements/keys, too long a string, or text Postgres cannot store (in values and keys).
 * A body that surely passes is answered by one lean pass; only otherwise is it walked again with paths, to find
 * and describe the first problem (so the error is the same as without the fast pass).
 */
export function checkInput(root: unknown, limits = INPUT_LIMITS): ErrorObject | undefined {
  if (surelyValid(root, limits)) return undefined;
  return describeInputProblem(root, limits);
}

function describeInputProblem(root: unknown, limits: typeof INPUT_LIMITS): ErrorObject | undefined {
  const stack: Array<{ value: unknown; depth: number; node: PathNode | undefined }> = [{ value: root, depth: 0, node: undefined }];
  while (stack.length > 0) {
    const { value, depth, node } = stack.pop() as { value: unknown; depth: number; node: PathNode | undefined };
    if (typeof value === 'string') {
      const segments = pathOf(node);
      const field = segments.join('.');
      if (value.length > limits.maxStringLength) {
        const message = `The value of field '${field}' is ${value.length} characters long; the limit is ${limits.maxStringLength}.`;
        return { code: 'InvalidInput', message, field, ...located(segments) };
      }
      const problem = unstorableText(value);
      if (problem) return invalidField(field, value, `The value ${preview(value)} is not valid for field '${field}': ${problem}.`, located(segments));
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth + 1 > limits.maxJsonDepth) {
      const segments = pathOf(node);
      const message = `The JSON body is nested deeper than the limit of ${limits.maxJsonDepth} levels (at '${segments.slice(0, 8).join('.')}${segments.length > 8 ? '...' : ''}').`;
      return { code: 'InvalidJsonInput', message };
    }
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayLength) {
        const segments = pathOf(node);
        const field = segments.join('.');
        return { code: 'InvalidInput', message: `The array '${field}' has ${value.length} elements; the limit is ${limits.maxArrayLength}.`, field, ...located(segments) };
      }
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i] as unknown, depth: depth + 1, node: { parent: node, segment: String(i) } });
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > limits.maxObjectKeys) {
      const segments = pathOf(node);
      const field = segments.join('.');
      return { code: 'InvalidInput', message: `The object '${field}' has ${keys.length} keys; the limit is ${limits.maxObjectKeys}.`, field, ...located(segments) };
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      if (key.length > limits.maxKeyLength || unstorableText(key)) {
        const segments = pathOf(node);
        const field = segments.join('.');
        const why = key.length > limits.maxKeyLength ? `it is longer than ${limits.maxKeyLength} characters` : unstorableText(key);
        const shown = key.length > limits.maxKeyLength ? key.slice(0, 64) : key;
        return invalidField(field, shown, `The key ${preview(key)} is not valid for field '${field}': ${why}.`, located(segments));
      }
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, node: { parent: node, segment: key } });
    }
  }
  return undefined;
}

/** Checks decoded path segments and query values/keys for text Postgres cannot store; returns the first problem's message. */
export function checkRequestTarget(path: string, query: unknown): string | undefined {
  for (const raw of path.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return `The path segment '${raw.slice(0, 200)}' is not valid percent-encoded UTF-8.`;
    }
    const problem = unstorableText(segment);
    if (problem) return `The path segment '${raw.slice(0, 200)}' is not valid: ${problem}.`;
  }
  const stack: Array<{ value: unknown; name: string; depth: number }> = [{ value: query, name: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, name, depth } = stack.pop() as { value: unknown; name: string; depth: number };
    if (typeof value === 'string') {
      const problem = unstorableText(value);
      if (problem) return `The value of query parameter '${name}' is not valid: ${problem}.`;
    } else if (value !== null && typeof value === 'object') {
      if (depth >= 16) return `The query parameter '${name}' is nested too deeply.`;
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const problem = unstorableText(key);
        if (problem) return `The query parameter name ${JSON.stringify(key)} is not valid: ${problem}.`;
        stack.push({ value: child, name: name ? `${name}[${Array.isArray(value) ? '' : key}]` : key, depth: depth + 1 });
      }
    }
  }
  return undefined;
}
