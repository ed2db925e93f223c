#!/usr/bin/env node
'use strict';

/**
 * Generates libs/import/src/validation/import-api.schemas.json: one JSON Schema (draft-07) document
 * with a `definitions` entry for each of the 18 commercetools Import API request bodies
 * (CategoryImportRequest, ..., ProductVariantPatchRequest) and everything they reference.
 *
 * Sources (read-only, outside the repository; only needed to REGENERATE, never at build/test time):
 *   <reference>/import-api.openapi.yaml   official OpenAPI 3.0 of the Import API (structure, required, enums)
 *   <reference>/import-raml/types/*.raml  the RAML the OpenAPI is generated from (authoritative facets:
 *                                         patterns, lengths, minItems, int formats, map types, closed types)
 * <reference> defaults to ../shared/reference relative to the repository root; override with
 * `--reference <dir>` or IMPORT_API_REFERENCE_DIR.
 *
 * Usage:
 *   node scripts/generate-import-schemas.js           (re)write the JSON file
 *   node scripts/generate-import-schemas.js --check   exit 1 if the committed file is out of date
 *
 * Conversion rules (OpenAPI 3.0 -> JSON Schema draft-07, as compiled by ajv 8):
 *  - `$ref: #/components/schemas/X` -> `$ref: #/definitions/X`; only schemas reachable from the 18 requests are kept.
 *  - `allOf: [$ref Base, {...}]` (the generator's inheritance pattern) is flattened into one object schema
 *    (properties merged, facets of the base property kept, `required` united).
 *  - A schema with `discriminator` (Attribute, CustomField, KeyReference, TypedMoney, BusinessUnitImport,
 *    AttributeType, FieldType, SuggestTokenizer, ShippingRatePriceTier, ...) becomes a `oneOf` keyed by the
 *    discriminator, in the form ajv's `discriminator` keyword (option `discriminator: true`) compiles to a switch:
 *        { type: object, required: [tag], properties: { tag: { type: string, enum: [all values] } },
 *          discriminator: { propertyName: tag }, oneOf: [ { $ref: Subtype }, ... ] }
 *    Each concrete subtype is flattened and pins the tag with a one-element `enum`, so the branches are mutually
 *    exclusive (plain `oneOf` semantics stay correct for other tools). ajv evaluates exactly one branch, so errors
 *    point at the real problem; an unknown tag is a single `enum` error with the allowed values. Tag values
 *    allowed by the tag's enum but without a mapping (e.g. KeyReference typeId `variant`) go to the flattened
 *    base type (`<Union>Unmapped`). (An if/then chain was measured ~10x slower for 22 attribute types.)
 *  - OpenAPI generator artefacts are replaced from the RAML: map types (LocalizedString, SearchKeywords,
 *    FieldContainer, Attributes) declared in RAML with a `/regex/` or `//` property become
 *    `{ type: object, propertyNames: { pattern }, additionalProperties: <value type> }`.
 *  - RAML facets (pattern, minLength, maxLength, minimum, maximum, minItems, maxItems) are copied onto the
 *    matching properties; RAML `number` with `format: int32|int64` becomes `integer`; RAML
 *    `additionalProperties: false` is kept.
 *  - Formats keep the RAML/OpenAPI names `date-only`, `time-only`, `datetime`; the validator registers them.
 *  - Descriptions, `x-*` annotations and `format: double|int32|int64` are dropped.
 *  - Berth decisions on top of the specs are listed in OVERRIDES below (each one is commented).
 */

const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');

const REPO_ROOT = path.resolve(__dirname, '..');
const argv = process.argv.slice(2);
const argValue = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const REFERENCE_DIR = path.resolve(
  REPO_ROOT,
  argValue('--reference') || process.env.IMPORT_API_REFERENCE_DIR || path.join('..', 'shared', 'reference'),
);
const OPENAPI_FILE = path.join(REFERENCE_DIR, 'import-api.openapi.yaml');
const RAML_TYPES_DIR = path.join(REFERENCE_DIR, 'import-raml', 'types');
const OUT_FILE = path.join(REPO_ROOT, 'libs', 'import', 'src', 'validation', 'import-api.schemas.json');

const SCHEMA_ID = 'https://berth.local/schemas/import-api.schemas.json';
const REF_PREFIX = '#/components/schemas/';
const DEF_PREFIX = '#/definitions/';

/** Resource `key` of every import resource (brief + commercetools platform key rules). */
const RESOURCE_KEY = { type: 'string', pattern: '^[A-Za-z0-9_-]+$', minLength: 2, maxLength: 256 };
const MAX_RESOURCES_PER_REQUEST = 20; // RAML: maxItems 20 on every request list
const RAML_FACETS = ['pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems'];

// ---------------------------------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------------------------------

const clone = (v) => JSON.parse(JSON.stringify(v));
const refName = (ref) => {
  if (!ref.startsWith(REF_PREFIX)) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(REF_PREFIX.length);
};
const defRef = (name) => ({ $ref: DEF_PREFIX + name });
const uniq = (arr) => [...new Set(arr)];
function fail(msg) {
  throw new Error(`generate-import-schemas: ${msg}`);
}

// ---------------------------------------------------------------------------------------------------------------------
// load sources
// ---------------------------------------------------------------------------------------------------------------------

function loadOpenApi() {
  if (!fs.existsSync(OPENAPI_FILE)) fail(`OpenAPI file not found: ${OPENAPI_FILE} (use --reference <dir>)`);
  const doc = yaml.load(fs.readFileSync(OPENAPI_FILE, 'utf8'));
  const schemas = doc && doc.components && doc.components.schemas;
  if (!schemas) fail('no components.schemas in OpenAPI file');
  return clone(schemas);
}

/** name -> { file, def } for every type in import-raml/types/*.raml (type names are unique across the libraries). */
function loadRaml() {
  if (!fs.existsSync(RAML_TYPES_DIR)) fail(`RAML types directory not found: ${RAML_TYPES_DIR}`);
  const types = {};
  for (const file of fs.readdirSync(RAML_TYPES_DIR).filter((f) => f.endsWith('.raml')).sort()) {
    // `!include` only appears on `example:` values, which are irrelevant here: drop the tag so any YAML parser works.
    const text = fs.readFileSync(path.join(RAML_TYPES_DIR, file), 'utf8').replace(/!include\s+/g, '');
    const doc = yaml.load(text) || {};
    for (const [name, def] of Object.entries(doc.types || {})) {
      if (types[name]) fail(`RAML type ${name} defined twice (${types[name].file}, ${file})`);
      types[name] = { file, def: typeof def === 'string' ? { type: def } : def || {} };
    }
  }
  return types;
}

/** RAML property map -> [{ name, optional, isMap, keyPattern, def }] */
function ramlProperties(def) {
  const out = [];
  for (const [rawName, rawDef] of Object.entries(def.properties || {})) {
    const d = typeof rawDef === 'string' ? { type: rawDef } : rawDef || {};
    const mapMatch = /^\/(.*)\/$/.exec(rawName);
    if (mapMatch) {
      out.push({ name: rawName, optional: true, isMap: true, keyPattern: mapMatch[1] || null, def: d });
      continue;
    }
    const optional = rawName.endsWith('?') && d.required !== true;
    out.push({ name: optional ? rawName.slice(0, -1) : rawName, optional, isMap: false, def: d });
  }
  return out;
}

const RAML_BUILTINS = {
  string: { type: 'string' },
  number: { type: 'number' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  'date-only': { type: 'string', format: 'date-only' },
  'time-only': { type: 'string', format: 'time-only' },
  datetime: { type: 'string', format: 'datetime' },
  object: { type: 'object' },
  any: {},
};

/** Converts a RAML type expression (`common.X`, `X[]`, `X | nil`, builtins) into a JSON schema. */
function ramlTypeExpr(expr, facets) {
  expr = String(expr).trim();
  const union = expr.split('|').map((s) => s.trim());
  if (union.length > 1) {
    const nonNil = union.filter((s) => s !== 'nil');
    if (nonNil.length !== 1 || union.length !== 2) fail(`unsupported RAML union ${expr}`);
    const inner = ramlTypeExpr(nonNil[0], facets);
    if (inner.$ref) {
      // `Ref | nil` without anyOf (which would produce one error per branch): null passes the type check,
      // an object is validated against the referenced schema.
      return { type: ['object', 'null'], if: { type: 'object' }, then: inner };
    }
    const t = Array.isArray(inner.type) ? inner.type : [inner.type];
    return { ...inner, type: uniq([...t, 'null']) };
  }
  if (expr.endsWith('[]')) return { type: 'array', items: ramlTypeExpr(expr.slice(0, -2), undefined) };
  if (RAML_BUILTINS[expr]) {
    const s = clone(RAML_BUILTINS[expr]);
    if (expr === 'number' && facets && /^int(8|16|32|64)?$/.test(String(facets.format || ''))) s.type = 'integer';
    return s;
  }
  return defRef(expr.includes('.') ? expr.slice(expr.lastIndexOf('.') + 1) : expr);
}

// ---------------------------------------------------------------------------------------------------------------------
// OpenAPI -> JSON Schema conversion of a single (sub)schema
// ---------------------------------------------------------------------------------------------------------------------

const DROPPED_FORMATS = new Set(['double', 'float', 'int32', 'int64']);

function convert(s) {
  if (s === null || typeof s !== 'object') return s;
  if (Array.isArray(s)) return s.map(convert);
  if (s.$ref) return defRef(refName(s.$ref));
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-') || k.startsWith('__') || k === 'description' || k === 'discriminator' || k === 'example') continue;
    if (k === 'format' && DROPPED_FORMATS.has(v)) continue;
    if (k === 'properties') {
      out.properties = {};
      for (const [p, ps] of Object.entries(v)) out.properties[p] = convert(ps);
    } else if (k === 'items' || k === 'additionalProperties' || k === 'propertyNames' || k === 'if' || k === 'then') {
      out[k] = convert(v);
    } else if (k === 'allOf' || k === 'oneOf' || k === 'anyOf') {
      out[k] = v.map(convert);
    } else {
      out[k] = clone(v);
    }
  }
  return out;
}

/** Collects definition names referenced by a converted schema. */
function collectRefs(s, acc = new Set()) {
  if (s && typeof s === 'object') {
    if (Array.isArray(s)) s.forEach((x) => collectRefs(x, acc));
    else
      for (const [k, v] of Object.entries(s)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith(DEF_PREFIX)) acc.add(v.slice(DEF_PREFIX.length));
        else collectRefs(v, acc);
      }
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------------------------------
// the model: OpenAPI schemas with RAML facets applied
// ---------------------------------------------------------------------------------------------------------------------

/** The own (non-inherited) object part of an OpenAPI schema: the schema itself or the inline member of allOf. */
function ownPart(s) {
  if (Array.isArray(s.allOf)) {
    const inline = s.allOf.filter((m) => !m.$ref);
    if (inline.length === 0) {
      s.allOf.push({ type: 'object', properties: {} });
      return ownPart(s);
    }
    if (inline.length !== 1) fail('allOf with more than one inline member is not supported');
    return inline[0];
  }
  return s;
}
const parentOf = (s) => {
  if (!Array.isArray(s.allOf)) return null;
  const refs = s.allOf.filter((m) => m.$ref);
  if (refs.length > 1) fail('multiple inheritance is not supported');
  return refs.length ? refName(refs[0].$ref) : null;
};

const report = { ramlFacets: 0, ramlMaps: [], intProps: 0, requiredDiffs: [], unmatched: [] };

function applyRaml(oas, raml) {
  for (const [name, { def, file }] of Object.entries(raml)) {
    const target = oas[name];
    if (!target) continue; // RAML-only types (e.g. query types) are not part of the request bodies
    const props = ramlProperties(def);

    // map types: the OpenAPI export turns `/regex/: X` into a bogus `required: ["/regex/"]` + string values
    const maps = props.filter((p) => p.isMap);
    if (maps.length) {
      if (maps.length !== 1 || props.length !== 1) fail(`RAML ${name}: mixed map/object types are not supported`);
      const m = maps[0];
      const mapSchema = { type: 'object' };
      if (m.keyPattern) mapSchema.propertyNames = { pattern: m.keyPattern };
      mapSchema.additionalProperties = ramlTypeExpr(m.def.type || 'any', m.def);
      oas[name] = { __converted: mapSchema };
      report.ramlMaps.push(name);
      continue;
    }

    // scalar types with facets (CountryCode, CurrencyCode, ...)
    if (!def.properties && def.type && RAML_BUILTINS[def.type]) {
      for (const f of RAML_FACETS) if (def[f] !== undefined) (target[f] = def[f]), report.ramlFacets++;
      continue;
    }

    const own = ownPart(target);
    if (def.additionalProperties === false) target.__closed = true;
    const ownProps = own.properties || {};
    for (const p of props) {
      const ps = ownProps[p.name];
      if (!ps) {
        report.unmatched.push(`${file}:${name}.${p.name}`);
        continue;
      }
      const d = p.def;
      const isArray = ps.type === 'array';
      // number + int format -> integer (RAML keeps the format, the OpenAPI export turned it into `double`)
      if (/^int(8|16|32|64)?$/.test(String(d.format || ''))) {
        const t = isArray ? ps.items : ps;
        if (t.type === 'number') (t.type = 'integer'), report.intProps++;
      }
      for (const f of RAML_FACETS) {
        if (d[f] === undefined) continue;
        if (ps.$ref) fail(`RAML facet ${f} on $ref property ${name}.${p.name}`);
        ps[f] = d[f];
        report.ramlFacets++;
      }
    }
    // required: RAML (no `?`) is authoritative; report differences against the OpenAPI export
    const ramlRequired = props.filter((p) => !p.optional).map((p) => p.name);
    const oasRequired = own.required || [];
    const onlyRaml = ramlRequired.filter((r) => !oasRequired.includes(r) && !inheritedRequired(oas, target).includes(r));
    const onlyOas = oasRequired.filter((r) => !ramlRequired.includes(r) && !inheritedRequired(oas, target).includes(r));
    if (onlyRaml.length || onlyOas.length) report.requiredDiffs.push({ name, onlyRaml, onlyOas });
    if (onlyRaml.length) own.required = uniq([...oasRequired, ...onlyRaml]);
  }
}

function inheritedRequired(oas, s) {
  const p = parentOf(s);
  if (!p) return [];
  const ps = oas[p];
  return [...(ownPart(ps).required || []), ...inheritedRequired(oas, ps)];
}

// ---------------------------------------------------------------------------------------------------------------------
// OVERRIDES: Berth decisions on top of the specifications (applied to the raw OpenAPI schemas, after the RAML)
// ---------------------------------------------------------------------------------------------------------------------

function applyOverrides(oas) {
  // 1. Every import resource key: ^[A-Za-z0-9_-]+$, 2..256 chars. The RAML states this for most resources but
  //    omits the pattern on ProductImport / ProductDraftImport / ProductTailoringImport and all facets on
  //    ProductVariantImport / VariantImport / ProductSelectionImport; commercetools enforces the same key rules
  //    for all of them, so the constraint is put on the common base `ImportResource.key` (and BusinessUnitImport).
  Object.assign(ownPart(oas.ImportResource).properties.key, RESOURCE_KEY);
  Object.assign(ownPart(oas.BusinessUnitImport).properties.key, RESOURCE_KEY);

  // 2. Money: a negative number of fraction digits is meaningless (RAML only states maximum 12), and a
  //    high-precision amount cannot be interpreted without its fraction digits (as in the platform's
  //    HighPrecisionMoneyDraft), so `fractionDigits` is required for `highPrecision`.
  ownPart(oas.TypedMoney).properties.fractionDigits.minimum = 0;
  const hp = ownPart(oas.HighPrecisionMoney);
  hp.required = uniq([...(hp.required || []), 'fractionDigits']);
}

// ---------------------------------------------------------------------------------------------------------------------
// definitions: flatten inheritance, build unions, keep what the requests reach
// ---------------------------------------------------------------------------------------------------------------------

function buildDefinitions(oas) {
  const defs = {};

  /** Concrete flattened object schema of `name` (inheritance merged, no union logic). */
  function flatten(name) {
    const s = oas[name];
    if (!s) fail(`unknown schema ${name}`);
    if (s.__converted) return clone(s.__converted);
    const parent = parentOf(s);
    const own = convert(ownPart(s));
    let result;
    if (parent) {
      const base = flatten(parent);
      const props = { ...(base.properties || {}) };
      for (const [p, ps] of Object.entries(own.properties || {})) {
        // OpenAPI subtypes restate inherited properties verbatim (`centAmount: number`): the base version, which
        // carries the RAML facets (`integer`, patterns, ...), wins; keys only the subtype states are kept.
        props[p] = ps.$ref || !props[p] || props[p].$ref ? ps : { ...ps, ...props[p] };
      }
      result = { type: 'object', properties: props };
      const required = uniq([...(base.required || []), ...(own.required || [])]);
      if (required.length) result.required = required;
      // pin the discriminator of a union parent
      const pdisc = oas[parent].discriminator;
      if (pdisc) {
        const value = Object.entries(pdisc.mapping || {}).find(([, ref]) => refName(ref) === name);
        if (!value) fail(`${name} is not in the discriminator mapping of ${parent}`);
        result.properties[pdisc.propertyName] = { type: 'string', enum: [value[0]] };
        result.required = uniq([pdisc.propertyName, ...(result.required || [])]);
      }
    } else {
      result = own;
      if (result.properties && !result.type) result.type = 'object';
    }
    if (s.__closed) result.additionalProperties = false;
    return result;
  }

  /** Values the discriminator property of a union may take: its enum (if any) plus the mapping keys. */
  function tagValues(name) {
    const s = oas[name];
    const disc = s.discriminator;
    const tagSchema = (ownPart(s).properties || {})[disc.propertyName] || {};
    const enumSchema = tagSchema.$ref ? oas[refName(tagSchema.$ref)] : tagSchema;
    const mapped = Object.keys(disc.mapping || {});
    return { all: uniq([...(enumSchema.enum || []), ...mapped]), mapped };
  }

  function define(name) {
    if (defs[name]) return;
    const s = oas[name];
    if (!s) fail(`unknown schema ${name}`);
    defs[name] = {}; // placeholder for recursion
    if (s.discriminator && s.discriminator.mapping) {
      const tag = s.discriminator.propertyName;
      const { all, mapped } = tagValues(name);
      const branches = mapped.map((v) => defRef(refName(s.discriminator.mapping[v])));
      const unmapped = all.filter((v) => !mapped.includes(v));
      if (unmapped.length) {
        const fallbackName = `${name}Unmapped`;
        const fb = flatten(name);
        fb.properties[tag] = { type: 'string', enum: unmapped };
        fb.required = uniq([tag, ...(fb.required || [])]);
        defs[fallbackName] = fb;
        branches.push(defRef(fallbackName));
        collectRefs(fb).forEach(define);
      }
      defs[name] = {
        type: 'object',
        required: [tag],
        properties: { [tag]: { type: 'string', enum: all } },
        discriminator: { propertyName: tag },
        oneOf: branches,
      };
    } else {
      defs[name] = flatten(name);
    }
    collectRefs(defs[name]).forEach(define);
  }

  return { defs, define, flatten };
}

/**
 * Clones `root` and every definition reachable from it that (transitively) references one of `replace`'s keys,
 * prefixing the clones' names with `prefix` and pointing the references at the replacements.
 * Used for the product-variant-patch attribute values, whose localized strings may contain `null` (= remove).
 */
function deriveVariant(defs, root, prefix, replace) {
  const memo = new Map();
  const reaches = (name, seen = new Set()) => {
    if (replace[name]) return true;
    if (memo.has(name)) return memo.get(name);
    if (seen.has(name)) return false;
    seen.add(name);
    const r = [...collectRefs(defs[name])].some((n) => reaches(n, seen));
    memo.set(name, r);
    return r;
  };
  const renamed = (name) => (replace[name] ? replace[name] : reaches(name) ? prefix + name : name);
  const rewrite = (s) => {
    if (s && typeof s === 'object') {
      if (Array.isArray(s)) return s.map(rewrite);
      const out = {};
      for (const [k, v] of Object.entries(s)) {
        out[k] = k === '$ref' && v.startsWith(DEF_PREFIX) ? DEF_PREFIX + renamed(v.slice(DEF_PREFIX.length)) : rewrite(v);
      }
      return out;
    }
    return s;
  };
  const todo = [root];
  const done = new Set();
  while (todo.length) {
    const n = todo.pop();
    if (done.has(n) || replace[n] || !reaches(n)) continue;
    done.add(n);
    defs[prefix + n] = rewrite(defs[n]);
    collectRefs(defs[n]).forEach((r) => todo.push(r));
  }
  return renamed(root);
}

// ---------------------------------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------------------------------

function generate() {
  const oas = loadOpenApi();
  const raml = loadRaml();
  applyRaml(oas, raml);
  applyOverrides(oas);

  const { defs, define } = buildDefinitions(oas);

  // the 18 request bodies, from the OpenAPI ImportRequest discriminator
  const requestMapping = oas.ImportRequest.discriminator.mapping;
  const requests = {};
  for (const [resourceType, ref] of Object.entries(requestMapping)) {
    const reqName = refName(ref);
    const own = ownPart(oas[reqName]);
    const listProp = own.properties.patches ? 'patches' : 'resources';
    const itemName = refName(own.properties[listProp].items.$ref);
    define(itemName);
    defs[reqName] = {
      type: 'object',
      required: ['type', listProp],
      properties: {
        type: { type: 'string', enum: [resourceType] },
        [listProp]: {
          type: 'array',
          minItems: 1, // RAML states minItems 1 on some lists only; an empty request is never meaningful
          maxItems: MAX_RESOURCES_PER_REQUEST,
          items: defRef(itemName),
        },
      },
      additionalProperties: false,
    };
    requests[resourceType] = { schema: reqName, list: listProp, resource: itemName };
  }

  // close the import resources themselves: unsupported fields (e.g. `variants` on a ProductImport) are rejected
  const close = (name) => {
    const d = defs[name];
    if (d.oneOf) {
      d.oneOf.forEach((b) => close(b.$ref.slice(DEF_PREFIX.length)));
      return;
    }
    d.additionalProperties = false;
  };
  Object.values(requests).forEach((r) => close(r.resource));

  // product-variant-patch: Attributes = map of attribute name -> Attribute | null (null removes the attribute);
  // inside a patch, a localized string value may be null too (removes that locale; see the official example).
  defs.PatchLocalizedString = clone(defs.LocalizedString);
  defs.PatchLocalizedString.additionalProperties = { type: ['string', 'null'] };
  const patchAttribute = deriveVariant(defs, 'Attribute', 'Patch', { LocalizedString: 'PatchLocalizedString' });
  const attrs = defs.Attributes.additionalProperties;
  if (!attrs || !attrs.then || attrs.then.$ref !== DEF_PREFIX + 'Attribute') fail('unexpected Attributes map shape');
  attrs.then = defRef(patchAttribute);

  // keep only what the requests reach, in a stable order
  const reachable = new Set();
  const walk = (n) => {
    if (reachable.has(n)) return;
    if (!defs[n]) fail(`dangling reference ${n}`);
    reachable.add(n);
    collectRefs(defs[n]).forEach(walk);
  };
  Object.values(requests).forEach((r) => walk(r.schema));
  const definitions = {};
  for (const n of [...reachable].sort()) definitions[n] = defs[n];

  const sortedRequests = {};
  for (const k of Object.keys(requests).sort()) sortedRequests[k] = requests[k];

  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    $comment:
      'GENERATED by scripts/generate-import-schemas.js from the commercetools Import API OpenAPI + RAML ' +
      '(commercetools-api-reference, MIT). Do not edit by hand; re-run the script.',
    'x-import-requests': sortedRequests,
    definitions,
  };
}

/** Compiles every request schema with ajv in strict mode so a broken schema fails here, not at runtime. */
function selfCheck(doc) {
  const Ajv = require('ajv').default;
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    discriminator: true,
    allowUnionTypes: true,
    formats: { 'date-only': true, 'time-only': true, datetime: true },
  });
  ajv.addVocabulary(['x-import-requests']);
  ajv.addSchema(doc);
  for (const { schema } of Object.values(doc['x-import-requests'])) {
    if (!ajv.getSchema(`${SCHEMA_ID}#/definitions/${schema}`)) fail(`cannot compile ${schema}`);
  }
}

function main() {
  const doc = generate();
  selfCheck(doc);
  const json = JSON.stringify(doc, null, 2) + '\n';
  const verbose = argv.includes('--verbose');
  if (verbose) {
    console.error(JSON.stringify(report, null, 2));
  }
  if (argv.includes('--check')) {
    const current = fs.existsSync(OUT_FILE) ? fs.readFileSync(OUT_FILE, 'utf8') : '';
    if (current !== json) {
      console.error(`${path.relative(REPO_ROOT, OUT_FILE)} is out of date; run node scripts/generate-import-schemas.js`);
      process.exit(1);
    }
    console.log(`${path.relative(REPO_ROOT, OUT_FILE)} is up to date`);
    return;
  }
  fs.mkdirSync(path.dirname(OUT_FILE), { recursive: true });
  fs.writeFileSync(OUT_FILE, json);
  console.log(
    `wrote ${path.relative(REPO_ROOT, OUT_FILE)}: ${Object.keys(doc['x-import-requests']).length} requests, ` +
      `${Object.keys(doc.definitions).length} definitions`,
  );
}

main();
