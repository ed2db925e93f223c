import fc from 'fast-check';

/** A value to place into a body; `Deep` becomes raw nested brackets when serialised. */
export class Deep {
  constructor(
    readonly depth: number,
    readonly open: '[' | '{"a":',
  ) {}
  raw(): string {
    return this.open === '[' ? '['.repeat(this.depth) + ']'.repeat(this.depth) : '{"a":'.repeat(this.depth) + '1' + '}'.repeat(this.depth);
  }
}

/** JSON text of a value that may contain `Deep` markers (inlined as raw text, so stringify never recurses into them). */
export function serialise(value: unknown): string {
  const deep: Deep[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof Deep) {
      deep.push(item);
      return `__deep_${deep.length - 1}__`;
    }
    return item;
  });
  return text === undefined ? 'null' : text.replace(/"__deep_(\d+)__"/g, (_, index: string) => deep[Number(index)].raw());
}

/** Strings that have broken parsers, drivers or databases: NUL, lone surrogates, huge, control and bidi characters. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\udbff\udfff\ud800', '', ' ', '%00', '\u202e\u0007', '../../etc/passwd', "'; DROP TABLE import_operations; --", '{{7*7}}', '💥'.repeat(64)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 12 }).map((s) => `${s}\u0000${s}`),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);

export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 3_000_000_000, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, [], {}, '', '1', 'true'),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

export const deepValue: fc.Arbitrary<Deep> = fc.tuple(fc.integer({ min: 50, max: 5_000 }), fc.constantFrom<'[' | '{"a":'>('[', '{"a":')).map(([depth, open]) => new Deep(depth, open));

export const replacement: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 3, arbitrary: wrongType },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepValue },
);

type Json = unknown;
type PathStep = string | number;

function paths(value: Json, prefix: PathStep[] = [], out: PathStep[][] = []): PathStep[][] {
  out.push(prefix);
  if (value instanceof Deep) return out;
  if (Array.isArray(value)) value.forEach((item, index) => paths(item, [...prefix, index], out));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  return out;
}

export type Mutation =
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'addField'; at: number; name: string; value: unknown }
  | { kind: 'repeatItems'; times: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: replacement }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('addField' as const), at: fc.nat(), name: fc.oneof(fc.constantFrom('variants', '__proto__', 'constructor', 'version', 'id', 'key'), fc.string({ maxLength: 10 })), value: replacement }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeatItems' as const), times: fc.integer({ min: 2, max: 30 }) }) },
);

/** More than the 20 resources a request may hold, few enough that a body stays well under the body limit's order of magnitude. */
const MAX_REPEATED_ITEMS = 60;

/** Applies mutations to a deep copy of `seed`; positions index the seed's nodes (modulo their number). */
export function mutate(seed: Json, mutations: readonly Mutation[]): Json {
  let body = structuredClone(seed) as Json;
  for (const change of mutations) {
    if (change.kind === 'repeatItems') {
      if (body && typeof body === 'object' && !Array.isArray(body)) {
        const record = body as Record<string, unknown>;
        for (const field of ['resources', 'patches']) {
          const items = record[field];
          // Bounded: several repeats of a body that holds a 300 KB string would otherwise exceed V8's string limit when serialised.
          if (Array.isArray(items) && items.length > 0) record[field] = Array.from({ length: Math.min(items.length * change.times, MAX_REPEATED_ITEMS) }, (_, i) => items[i % items.length] as unknown);
        }
      }
      continue;
    }
    const all = paths(body);
    const target = all[change.at % all.length];
    if (target.length === 0) {
      if (change.kind === 'replace') body = change.value;
      continue;
    }
    let parent = body as Record<PathStep, unknown>;
    for (const step of target.slice(0, -1)) parent = parent[step] as Record<PathStep, unknown>;
    const last = target[target.length - 1];
    if (change.kind === 'replace') parent[last] = change.value;
    else if (change.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      const node = parent[last];
      if (node && typeof node === 'object' && !Array.isArray(node)) Object.defineProperty(node, change.name, { value: change.value, enumerable: true, writable: true, configurable: true });
      else parent[last] = change.value;
    }
  }
  return body;
}

/** A percent-encoded query value; some raw hostile encodings on purpose. */
const queryValue: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: -100, max: 20_000 }).map(String),
  fc.constantFrom('-1', '1e308', '3000000000', 'abc', '', 'key asc', 'key desc', 'createdAt desc', 'lastModifiedAt asc', 'nope asc', 'key sideways', 'true', 'false', 'processing', 'imported', 'bogus', '1.5', 'NaN', 'Infinity').map(encodeURIComponent),
  fc.constantFrom('%00', 'a%00b', '%', '%zz', '%ED%A0%80', '%C0%AE', '%FF'),
  fc.string({ maxLength: 20 }).map((s) => {
    try {
      return encodeURIComponent(s);
    } catch {
      return '%ED%A0%80';
    }
  }),
);

export const query: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.constantFrom('limit', 'offset', 'sort', 'state', 'resourceKey', 'debug', 'where', 'expand', '%00', 'limit[]'), queryValue), { maxLength: 4 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`));

/** Path segments that are never valid container keys (so they never name a container that holds operations). */
export const hostileSegment: fc.Arbitrary<string> = fc.constantFrom('%00', 'a%00b', '%ED%A0%80', '%', '%zz', '..', '.', 'x'.repeat(300), 'a%20b', '%C0%AE%C0%AE', 'k%2Fk', '%F0%9F%92%A5', 'nope%00');
