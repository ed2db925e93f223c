/**
 * OpenAPI documentation helpers: the ErrorResponse schema, decorators composing the documented error responses and
 * query parameters (used by the controller factories once, not per route), and the conversion of the in-repo JSON
 * Schemas (draft-07, `#/definitions/...`) into OpenAPI 3.0 components (`#/components/schemas/...`).
 */
import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { MAX_LIMIT, MAX_OFFSET } from './paging';

type Schema = Record<string, unknown>;

export const ERROR_RESPONSE_REF = '#/components/schemas/ErrorResponse';

/** commercetools ErrorObject / ErrorResponse (OAuth errors add `error` and `error_description`). */
export const ERROR_SCHEMAS: Record<string, Schema> = {
  ErrorObject: {
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: { type: 'string', example: 'InvalidField', description: 'Error code, e.g. InvalidField, InvalidInput, InvalidJsonInput, ResourceNotFound, DuplicateField, ConcurrentModification, insufficient_scope' },
      message: { type: 'string' },
      field: { type: 'string', description: 'InvalidField/DuplicateField: dotted path of the field, e.g. resources.1.key' },
      invalidValue: { description: 'InvalidField: the offending value (null when the field is missing)', nullable: true },
      allowedValues: { type: 'array', items: {}, description: 'InvalidField: the allowed values of an enum' },
      resourceIndex: { type: 'integer', description: 'Import requests: index into resources/patches' },
      duplicateValue: { description: 'DuplicateField: the duplicate value' },
      specifiedVersion: { type: 'integer', description: 'ConcurrentModification' },
      currentVersion: { type: 'integer', description: 'ConcurrentModification' },
    },
    additionalProperties: true,
  },
  ErrorResponse: {
    type: 'object',
    required: ['statusCode', 'message', 'errors'],
    properties: {
      statusCode: { type: 'integer', example: 400 },
      message: { type: 'string' },
      errors: { type: 'array', items: { $ref: '#/components/schemas/ErrorObject' } },
      error: { type: 'string', description: 'OAuth 2.0 error code (invalid_client, invalid_scope, invalid_token, insufficient_scope, …)' },
      error_description: { type: 'string', description: 'OAuth 2.0 error description' },
    },
  },
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: InvalidInput (malformed path or query), InvalidJsonInput (malformed JSON), InvalidField (one error per problem)',
  401: 'invalid_token: the bearer token is missing, expired, malformed or revoked (invalid_client on /oauth/token)',
  403: 'insufficient_scope: the token lacks the scope for this route and project',
  404: 'ResourceNotFound',
  409: 'ConcurrentModification: the given version is not the current one (currentVersion says which is)',
  413: 'The request body exceeds the configured limit',
  415: 'Unsupported media type: send the body as Content-Type: application/json',
  429: 'Too many failed authentication attempts (Retry-After)',
  503: 'The database cannot be reached (Retry-After)',
};

/** One `ApiResponse` per status, each with the ErrorResponse schema. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: ERROR_DESCRIPTIONS[status] ?? 'Error', schema: { $ref: ERROR_RESPONSE_REF } })));
}

/** Errors of every route behind the bearer guard: 400 (path/query), 401, 403, 503. */
export const GUARDED_ERRORS = [400, 401, 403, 503] as const;
/** Errors of every route with a JSON request body, on top of GUARDED_ERRORS. */
export const BODY_ERRORS = [413, 415] as const;

/** The security schemes a Berth token satisfies: the bearer header, or the OAuth2 client-credentials flow of Swagger UI's Authorize. */
export function ApiBerthAuth(): MethodDecorator & ClassDecorator {
  return applyDecorators(ApiBearerAuth(), ApiOAuth2([]));
}

/** `limit` 0..500, `offset` 0..10000 and repeated `sort=<field> asc|desc` of commercetools paging. */
export function ApiPagingQuery(sortFields: readonly string[]): MethodDecorator {
  return applyDecorators(
    ApiQuery({ name: 'limit', required: false, description: 'Number of results (default 20)', schema: { type: 'integer', minimum: 0, maximum: MAX_LIMIT, default: 20 } }),
    ApiQuery({ name: 'offset', required: false, description: 'Number of results to skip', schema: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0 } }),
    ApiQuery({
      name: 'sort',
      required: false,
      description: `Repeatable \`<field> asc|desc\`, field one of ${sortFields.join(', ')}`,
      schema: { type: 'array', items: { type: 'string', example: `${sortFields[0]} asc` } },
      style: 'form',
      explode: true,
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// JSON Schema (draft-07) -> OpenAPI 3.0 Schema Objects
// ---------------------------------------------------------------------------------------------------------------------

/** Keywords OpenAPI 3.0 has no equivalent for: kept as `x-` extensions (documentation only). */
const EXTENSION_KEYWORDS = new Set(['propertyNames', 'if', 'then', 'else']);
const DROPPED_KEYWORDS = new Set(['$comment', '$id', '$schema']);

function convert(node: unknown, definitionsPrefix: string, definitions: Record<string, Schema>): unknown {
  if (Array.isArray(node)) return node.map((item) => convert(item, definitionsPrefix, definitions));
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Schema;
  const out: Schema = {};
  for (const [keyword, value] of Object.entries(source)) {
    if (DROPPED_KEYWORDS.has(keyword)) continue;
    if (keyword === '$ref' && typeof value === 'string') {
      out.$ref = value.startsWith(definitionsPrefix) ? `#/components/schemas/${value.slice(definitionsPrefix.length)}` : value;
    } else if (keyword === 'type' && Array.isArray(value)) {
      // `type: [T, "null"]` is `type: T, nullable: true` in OpenAPI 3.0
      const types = value.filter((type) => type !== 'null');
      if (types.length === 1) out.type = types[0];
      else out['x-types'] = types;
      if (types.length < value.length) out.nullable = true;
    } else if (EXTENSION_KEYWORDS.has(keyword)) {
      out[`x-${keyword}`] = convert(value, definitionsPrefix, definitions);
    } else if (keyword === 'properties' || keyword === 'definitions') {
      out[keyword] = Object.fromEntries(Object.entries(value as Schema).map(([name, schema]) => [name, convert(schema, definitionsPrefix, definitions)]));
    } else if (keyword === 'enum' || keyword === 'required' || keyword === 'examples' || keyword === 'default') {
      out[keyword] = value;
    } else {
      out[keyword] = convert(value, definitionsPrefix, definitions);
    }
  }
  // OpenAPI's discriminator maps tag values to schemas; derive the mapping from each branch's one-value tag enum.
  const discriminator = source.discriminator as { propertyName?: string } | undefined;
  if (discriminator?.propertyName && Array.isArray(source.oneOf)) {
    const mapping: Record<string, string> = {};
    for (const branch of source.oneOf as Schema[]) {
      const ref = typeof branch.$ref === 'string' && branch.$ref.startsWith(definitionsPrefix) ? branch.$ref.slice(definitionsPrefix.length) : undefined;
      const tag = ref ? ((definitions[ref]?.properties as Record<string, Schema> | undefined)?.[discriminator.propertyName]?.enum as unknown[] | undefined) : undefined;
      if (ref && tag?.length === 1 && typeof tag[0] === 'string') mapping[tag[0]] = `#/components/schemas/${ref}`;
    }
    out.discriminator = { propertyName: discriminator.propertyName, ...(Object.keys(mapping).length > 0 ? { mapping } : {}) };
  }
  // OpenAPI 3.0 requires `items` on arrays; JSON Schema's default is "anything".
  if (out.type === 'array' && out.items === undefined) out.items = {};
  return out;
}

/** One JSON Schema (draft-07, inline, e.g. a referenced resource's draft) as an OpenAPI 3.0 Schema Object. */
export function jsonSchemaToOpenApi(schema: Schema): Schema {
  return convert(schema, '#/definitions/', {}) as Schema;
}

/** The `definitions` of a JSON Schema document as OpenAPI components (`#/definitions/X` becomes `#/components/schemas/X`). */
export function jsonSchemaDefinitionsToComponents(document: { definitions: Record<string, Schema> }): Record<string, Schema> {
  const components: Record<string, Schema> = {};
  for (const [name, schema] of Object.entries(document.definitions)) components[name] = convert(schema, '#/definitions/', document.definitions) as Schema;
  return components;
}

/** Adds schemas to a document's components; a name already taken by another schema is an error (it would change a `$ref`'s meaning). */
export function addComponentSchemas(document: { components?: { schemas?: Record<string, unknown> } }, schemas: Record<string, Schema>): void {
  document.components ??= {};
  const target = (document.components.schemas ??= {});
  for (const [name, schema] of Object.entries(schemas)) {
    if (name in target && JSON.stringify(target[name]) !== JSON.stringify(schema)) throw new Error(`OpenAPI component schema '${name}' defined twice`);
    target[name] = schema;
  }
}
