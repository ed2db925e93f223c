import * as fs from 'fs';
import * as path from 'path';
import {
  MAX_REPORTED_ERRORS,
  compileImportRequestValidators,
  IMPORT_RESOURCE_TYPES,
  ImportResourceType,
  MAX_RESOURCES_PER_REQUEST,
  requestListProperty,
  resourceKeyOf,
  validateImportRequest,
  ValidationError,
} from './import-request.validator';

/** Official commercetools example bodies (MIT), copied unchanged from commercetools-api-reference. */
const EXAMPLES_DIR = path.resolve(__dirname, '../../../../test/fixtures/ct-examples');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function example(file: string): Json {
  return JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
}

/** The official example import request of each resource type. */
const REQUEST_EXAMPLES: Record<ImportResourceType, string> = {
  'business-unit': 'business-units-import-request.json',
  category: 'category-import-request.json',
  customer: 'customer-import-request.json',
  'discount-code': 'discount-code-import-request.json',
  inventory: 'inventory-import-request.json',
  order: 'order-import-request.json',
  'order-patch': 'order-patch-import-request.json',
  price: 'price-import-request.json',
  product: 'product-import-request.json',
  'product-draft': 'product-draft-import-request.json',
  'product-selection': 'product-selection-import-request.json',
  'product-tailoring': 'product-tailoring-import-request.json',
  'product-type': 'product-type-import-request.json',
  'product-variant': 'product-variant-import-request.json',
  'product-variant-patch': 'product-variant-patch-request.json',
  'standalone-price': 'standalone-price-import-request.json',
  type: 'type-import-request.json',
  variant: 'variants-import-request.json',
};

/** The official single-resource examples (wrapped into a request by the test). */
const RESOURCE_EXAMPLES: Array<[ImportResourceType, string]> = [
  ['business-unit', 'business-units-company-import.json'],
  ['business-unit', 'business-units-division-import.json'],
  ['category', 'category-import.json'],
  ['customer', 'customer-import.json'],
  ['discount-code', 'discount-code-import.json'],
  ['inventory', 'inventory-import.json'],
  ['order', 'order-import.json'],
  ['price', 'price-import.json'],
  ['product', 'product-import.json'],
  ['product-draft', 'product-draft-import.json'],
  ['product-selection', 'product-selection-import.json'],
  ['product-tailoring', 'product-tailoring-import.json'],
  ['product-type', 'product-type-import.json'],
  ['product-variant', 'product-variant-import.json'],
  ['product-variant-patch', 'product-variant-patch.json'],
  ['standalone-price', 'standalone-price-import.json'],
  ['type', 'type-import.json'],
];

const request = (type: ImportResourceType, ...items: Json[]): Json => ({ type, [requestListProperty(type)]: items });

/** Validates and asserts there is exactly one error; returns it. */
function singleError(type: ImportResourceType, body: Json): ValidationError {
  const errors = validateImportRequest(type, body);
  expect(errors).toHaveLength(1);
  return errors[0];
}

describe('validateImportRequest', () => {
  beforeAll(() => compileImportRequestValidators());

  describe('official commercetools examples', () => {
    it('covers all 18 resource types', () => {
      expect(IMPORT_RESOURCE_TYPES).toHaveLength(18);
      expect(Object.keys(REQUEST_EXAMPLES).sort()).toEqual([...IMPORT_RESOURCE_TYPES].sort());
      // every request example shipped in the fixtures is used
      const requestFiles = fs.readdirSync(EXAMPLES_DIR).filter((f) => /-request\.json$/.test(f));
      expect(requestFiles.sort()).toEqual(Object.values(REQUEST_EXAMPLES).sort());
    });

    it.each(IMPORT_RESOURCE_TYPES.map((t) => [t, REQUEST_EXAMPLES[t]]))('%s request (%s) is valid', (type, file) => {
      const body = example(file);
      expect(body.type).toBe(type);
      expect(validateImportRequest(type as ImportResourceType, body)).toEqual([]);
    });

    it.each(RESOURCE_EXAMPLES)('%s resource %s is valid', (type, file) => {
      expect(validateImportRequest(type, request(type, example(file)))).toEqual([]);
    });

    it('order-patch-import.json (a list of patches) is valid', () => {
      expect(validateImportRequest('order-patch', request('order-patch', ...example('order-patch-import.json')))).toEqual(
        [],
      );
    });

    it('reference-attribute.json and customer-address.json are valid in place', () => {
      const variant = example('product-variant-import.json');
      variant.attributes.push(example('reference-attribute.json'));
      expect(validateImportRequest('product-variant', request('product-variant', variant))).toEqual([]);

      const customer = example('customer-import.json');
      customer.addresses = [example('customer-address.json')];
      expect(validateImportRequest('customer', request('customer', customer))).toEqual([]);
    });

    it('accepts 20 resources', () => {
      const resources = Array.from({ length: MAX_RESOURCES_PER_REQUEST }, (_, i) => ({
        ...example('category-import.json'),
        key: `category-${i}`,
      }));
      expect(validateImportRequest('category', request('category', ...resources))).toEqual([]);
    });
  });

  describe('request envelope', () => {
    it('rejects a body of another resource type with one error on `type`', () => {
      const body = example('product-import-request.json');
      expect(validateImportRequest('category', body)).toEqual([
        {
          code: 'InvalidField',
          message: `The value '"product"' is not valid for field 'type': expected "category".`,
          field: 'type',
          invalidValue: 'product',
          allowedValues: ['category'],
        },
      ]);
    });

    it('requires `type`', () => {
      const body = example('category-import-request.json');
      delete body.type;
      expect(singleError('category', body)).toEqual({
        code: 'InvalidField',
        message: "Missing required field 'type'.",
        field: 'type',
        invalidValue: null,
      });
    });

    it('requires `resources` (and `patches` for patch types)', () => {
      expect(singleError('inventory', { type: 'inventory' })).toMatchObject({
        field: 'resources',
        invalidValue: null,
      });
      expect(singleError('order-patch', { type: 'order-patch' })).toMatchObject({ field: 'patches', invalidValue: null });
    });

    it('rejects 21 resources with one error on `resources`', () => {
      const resources = Array.from({ length: 21 }, (_, i) => ({ ...example('category-import.json'), key: `c-${i}` }));
      const error = singleError('category', request('category', ...resources));
      expect(error).toMatchObject({ code: 'InvalidField', field: 'resources' });
      expect(error.resourceIndex).toBeUndefined();
      expect(error.invalidValue).toHaveLength(21);
      expect(error.message).toBe("The field 'resources' must contain at most 20 items but contains 21.");
    });

    it('describes at most MAX_REPORTED_ERRORS errors within the resources, request-level ones always', () => {
      const bad = Array.from({ length: 20 }, (_, i) => ({ key: i, name: 5, slug: 7, productType: 1, variants: Array.from({ length: 50 }, () => ({ sku: 1, prices: [{ value: 'x' }] })) }));
      const errors = validateImportRequest('product-draft', request('product-draft', ...(bad as unknown as Json[])));
      expect(errors).toHaveLength(MAX_REPORTED_ERRORS);
      const withType = validateImportRequest('product-draft', { type: 'product-draft', resources: bad, extra: 1 } as unknown as Json);
      expect(withType.length).toBeGreaterThanOrEqual(MAX_REPORTED_ERRORS);
      expect(withType.length).toBeLessThanOrEqual(MAX_REPORTED_ERRORS + 1);
      expect(withType[0]).toMatchObject({ field: 'extra' });
    });

    it('validates only the first 21 items of a list of thousands, and still reports its real length', () => {
      const bad = Array.from({ length: 5000 }, (_, i) => ({ key: i }));
      const errors = validateImportRequest('category', request('category', ...(bad as unknown as Json[])));
      const size = errors.find((error) => error.field === 'resources');
      expect(size).toMatchObject({ message: "The field 'resources' must contain at most 20 items but contains 5000." });
      expect((size!.invalidValue as unknown[]).length).toBe(5000);
      expect(Math.max(...errors.map((error) => error.resourceIndex ?? -1))).toBe(20);
    });

    it('rejects an empty resources list', () => {
      expect(singleError('price', { type: 'price', resources: [] })).toMatchObject({
        code: 'InvalidField',
        field: 'resources',
        invalidValue: [],
      });
      expect(singleError('product-variant-patch', { type: 'product-variant-patch', patches: [] })).toMatchObject({
        field: 'patches',
        invalidValue: [],
      });
    });

    it('rejects `resources` that is not an array', () => {
      expect(singleError('price', { type: 'price', resources: {} })).toMatchObject({
        field: 'resources',
        invalidValue: {},
      });
    });

    it('rejects unknown top-level fields', () => {
      const body = { ...example('price-import-request.json'), dryRun: true };
      expect(singleError('price', body)).toMatchObject({ field: 'dryRun', invalidValue: true });
    });

    it.each([null, [], 'x', 42, undefined])('rejects a body that is not a JSON object (%p)', (body) => {
      expect(singleError('category', body)).toMatchObject({
        code: 'InvalidJsonInput',
        field: '',
        invalidValue: body ?? null,
      });
    });

    it('throws for an unknown resource type (programming error)', () => {
      expect(() => validateImportRequest('cart' as ImportResourceType, {})).toThrow(TypeError);
    });
  });

  describe('resource keys', () => {
    it('reports a missing key with the path of the key', () => {
      const body = example('category-import-request.json');
      delete body.resources[0].key;
      expect(validateImportRequest('category', body)).toEqual([
        {
          code: 'InvalidField',
          message: "Missing required field 'key'.",
          field: 'resources.0.key',
          invalidValue: null,
          resourceIndex: 0,
        },
      ]);
    });

    it.each<[ImportResourceType, string]>([
      ['product', 'product-import.json'],
      ['product-draft', 'product-draft-import.json'],
      ['product-variant', 'product-variant-import.json'],
      ['customer', 'customer-import.json'],
      ['inventory', 'inventory-import.json'],
      ['business-unit', 'business-units-company-import.json'],
      ['variant', 'variants-import-request.json'],
    ])('%s: rejects a key not matching ^[A-Za-z0-9_-]+$', (type, file) => {
      const doc = example(file);
      const resource = doc.resources ? doc.resources[0] : doc;
      const other = { ...resource, key: 'valid-key' };
      const bad = { ...resource, key: 'bad key!' };
      expect(validateImportRequest(type, request(type, other, bad))).toEqual([
        {
          code: 'InvalidField',
          message: `The value '"bad key!"' is not valid for field 'resources.1.key': expected a value matching the pattern ^[A-Za-z0-9_-]+$.`,
          field: 'resources.1.key',
          invalidValue: 'bad key!',
          resourceIndex: 1,
        },
      ]);
    });

    it('rejects keys shorter than 2 and longer than 256 characters', () => {
      const short = { ...example('standalone-price-import.json'), key: 'a' };
      const long = { ...example('standalone-price-import.json'), key: 'k'.repeat(257) };
      const ok = { ...example('standalone-price-import.json'), key: 'k'.repeat(256) };
      const errors = validateImportRequest('standalone-price', request('standalone-price', short, ok, long));
      expect(errors.map((e) => [e.field, e.invalidValue, e.resourceIndex])).toEqual([
        ['resources.0.key', 'a', 0],
        ['resources.2.key', 'k'.repeat(257), 2],
      ]);
    });

    it('rejects a key that is not a string', () => {
      const resource = { ...example('inventory-import.json'), key: 12 };
      expect(singleError('inventory', request('inventory', resource))).toMatchObject({
        field: 'resources.0.key',
        invalidValue: 12,
        message: "The value '12' is not valid for field 'resources.0.key': expected type string.",
      });
    });
  });

  describe('KeyReference', () => {
    it('rejects a too short reference key', () => {
      const body = example('product-import-request.json');
      body.resources[0].productType.key = 'p';
      expect(validateImportRequest('product', body)).toEqual([
        {
          code: 'InvalidField',
          message: `The value '"p"' is not valid for field 'resources.0.productType.key': expected at least 2 character(s).`,
          field: 'resources.0.productType.key',
          invalidValue: 'p',
          resourceIndex: 0,
        },
      ]);
    });

    it('rejects a too long reference key inside an array', () => {
      const body = example('product-import-request.json');
      body.resources[0].categories.push({ typeId: 'category', key: 'c'.repeat(257) });
      expect(singleError('product', body)).toMatchObject({
        field: 'resources.0.categories.1.key',
        invalidValue: 'c'.repeat(257),
        resourceIndex: 0,
      });
    });

    it('rejects a reference of the wrong typeId with the allowed value', () => {
      const body = example('product-import-request.json');
      body.resources[0].productType.typeId = 'category';
      expect(singleError('product', body)).toEqual({
        code: 'InvalidField',
        message: `The value '"category"' is not valid for field 'resources.0.productType.typeId': expected "product-type".`,
        field: 'resources.0.productType.typeId',
        invalidValue: 'category',
        resourceIndex: 0,
        allowedValues: ['product-type'],
      });
    });

    it('requires the key of a reference', () => {
      const body = example('price-import-request.json');
      delete body.resources[0].product.key;
      expect(singleError('price', body)).toMatchObject({
        field: 'resources.0.product.key',
        invalidValue: null,
        message: "Missing required field 'key'.",
      });
    });

    it('requires the container of a custom object reference', () => {
      const body = example('product-draft-import-request.json');
      delete body.resources[0].masterVariant.attributes[1].value.container;
      expect(singleError('product-draft', body)).toMatchObject({
        field: 'resources.0.masterVariant.attributes.1.value.container',
        invalidValue: null,
      });
    });
  });

  describe('enums', () => {
    it('reports a bad enum value with its allowed values', () => {
      const body = example('order-import-request.json');
      body.resources[0].orderState = 'Shipped';
      expect(singleError('order', body)).toEqual({
        code: 'InvalidField',
        message: `The value '"Shipped"' is not valid for field 'resources.0.orderState': expected one of "Open", "Confirmed", "Complete", "Cancelled".`,
        field: 'resources.0.orderState',
        invalidValue: 'Shipped',
        resourceIndex: 0,
        allowedValues: ['Open', 'Confirmed', 'Complete', 'Cancelled'],
      });
    });

    it('reports an unknown business unit type once', () => {
      const body = example('business-units-import-request.json');
      body.resources[1].unitType = 'Partner';
      expect(singleError('business-unit', body)).toMatchObject({
        field: 'resources.1.unitType',
        invalidValue: 'Partner',
        resourceIndex: 1,
        allowedValues: ['Company', 'Division'],
      });
    });

    it('checks subtype specific fields of business units', () => {
      const body = example('business-units-import-request.json');
      delete body.resources[1].parentUnit;
      body.resources[0].parentUnit = { typeId: 'business-unit', key: 'acme' }; // only Divisions have a parent
      expect(validateImportRequest('business-unit', body).map((e) => [e.field, e.invalidValue, e.resourceIndex])).toEqual(
        [
          ['resources.0.parentUnit', { typeId: 'business-unit', key: 'acme' }, 0],
          ['resources.1.parentUnit', null, 1],
        ],
      );
    });

    it('validates enums in nested objects (product type attribute definitions)', () => {
      const body = example('product-type-import-request.json');
      body.resources[0].attributes[0].attributeConstraint = 'Sometimes';
      body.resources[0].attributes[0].type = { name: 'reference', referenceTypeId: 'planet' };
      const errors = validateImportRequest('product-type', body);
      expect(errors.map((e) => [e.field, e.invalidValue, e.allowedValues?.length])).toEqual([
        ['resources.0.attributes.0.type.referenceTypeId', 'planet', 23],
        ['resources.0.attributes.0.attributeConstraint', 'Sometimes', 4],
      ]);
    });
  });

  describe('money', () => {
    it('requires an integer centAmount', () => {
      const body = example('price-import-request.json');
      body.resources[0].value.centAmount = 3.5;
      expect(singleError('price', body)).toEqual({
        code: 'InvalidField',
        message: "The value '3.5' is not valid for field 'resources.0.value.centAmount': expected type integer.",
        field: 'resources.0.value.centAmount',
        invalidValue: 3.5,
        resourceIndex: 0,
      });
    });

    it('requires an ISO 4217 currency code', () => {
      const body = example('standalone-price-import-request.json');
      body.resources[0].value.currencyCode = 'eur';
      expect(singleError('standalone-price', body)).toMatchObject({
        field: 'resources.0.value.currencyCode',
        invalidValue: 'eur',
      });
    });

    it('rejects an unknown money type with one error', () => {
      const body = example('standalone-price-import-request.json');
      body.resources[0].value.type = 'precise';
      expect(singleError('standalone-price', body)).toMatchObject({
        field: 'resources.0.value.type',
        invalidValue: 'precise',
        allowedValues: ['centPrecision', 'highPrecision'],
      });
    });

    it('validates high precision money (preciseAmount and fractionDigits)', () => {
      const body = example('standalone-price-import-request.json');
      body.resources[0].value = {
        type: 'highPrecision',
        currencyCode: 'EUR',
        centAmount: 1,
        preciseAmount: 12345,
        fractionDigits: 4,
      };
      expect(validateImportRequest('standalone-price', body)).toEqual([]);
      delete body.resources[0].value.preciseAmount;
      body.resources[0].value.fractionDigits = 13;
      expect(validateImportRequest('standalone-price', body).map((e) => [e.field, e.invalidValue])).toEqual([
        ['resources.0.value.preciseAmount', null],
        ['resources.0.value.fractionDigits', 13],
      ]);
    });

    it('reports a wrong price deep inside the 4th product draft', () => {
      const drafts = Array.from({ length: 4 }, (_, i) => productDraft(i));
      drafts[3].masterVariant.prices[0].value.centAmount = '100';
      expect(validateImportRequest('product-draft', request('product-draft', ...drafts))).toEqual([
        {
          code: 'InvalidField',
          message: `The value '"100"' is not valid for field 'resources.3.masterVariant.prices.0.value.centAmount': expected type integer.`,
          field: 'resources.3.masterVariant.prices.0.value.centAmount',
          invalidValue: '100',
          resourceIndex: 3,
        },
      ]);
    });

    it('requires centPrecision where the spec says Money (order shipping rate)', () => {
      const body = example('order-import-request.json');
      body.resources[0].shippingInfo = {
        shippingMethodName: 'standard',
        price: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 500 },
        shippingRate: {
          price: { type: 'highPrecision', currencyCode: 'EUR', centAmount: 500, preciseAmount: 5000, fractionDigits: 3 },
        },
      };
      expect(singleError('order', body)).toMatchObject({
        field: 'resources.0.shippingInfo.shippingRate.price.type',
        invalidValue: 'highPrecision',
        allowedValues: ['centPrecision'],
      });
    });
  });

  describe('localized strings', () => {
    it('rejects a non-string value', () => {
      const body = example('category-import-request.json');
      body.resources[0].name.en = 5;
      expect(singleError('category', body)).toEqual({
        code: 'InvalidField',
        message: "The value '5' is not valid for field 'resources.0.name.en': expected type string.",
        field: 'resources.0.name.en',
        invalidValue: 5,
        resourceIndex: 0,
      });
    });

    it('rejects null values outside of patches', () => {
      const body = example('product-import-request.json');
      body.resources[0].description.de = null;
      expect(singleError('product', body)).toMatchObject({
        field: 'resources.0.description.de',
        invalidValue: null,
      });
    });

    it('rejects an invalid locale', () => {
      const body = example('category-import-request.json');
      body.resources[0].slug = { en: 'ok', en_US: 'not-ok' };
      expect(singleError('category', body)).toEqual({
        code: 'InvalidField',
        message: "The locale 'en_US' is not valid for field 'resources.0.slug': expected a language tag such as en, en-US, de-CH or zh-Hans.",
        field: 'resources.0.slug',
        invalidValue: 'en_US',
        resourceIndex: 0,
      });
    });

    it('accepts language, script and region subtags', () => {
      const body = example('category-import-request.json');
      body.resources[0].name = { en: 'a', 'en-US': 'b', 'zh-Hant-TW': 'c', 'es-419': 'd' };
      expect(validateImportRequest('category', body)).toEqual([]);
    });

    it('rejects a localized string given as a plain string', () => {
      const body = example('product-selection-import-request.json');
      body.resources[0].name = 'Featured Products';
      expect(singleError('product-selection', body)).toMatchObject({
        field: 'resources.0.name',
        invalidValue: 'Featured Products',
      });
    });
  });

  describe('unknown fields', () => {
    it('rejects `variants` on a product', () => {
      const body = example('product-import-request.json');
      const variants = [{ key: 'v1', sku: 'v1' }];
      body.resources[0].variants = variants;
      expect(validateImportRequest('product', body)).toEqual([
        {
          code: 'InvalidField',
          message: "Unknown field 'variants'.",
          field: 'resources.0.variants',
          invalidValue: variants,
          resourceIndex: 0,
        },
      ]);
    });

    it.each(IMPORT_RESOURCE_TYPES)('%s: rejects an unknown field on the resource', (type) => {
      const body = example(REQUEST_EXAMPLES[type]);
      const list = requestListProperty(type);
      body[list][0].notAField = 1;
      expect(singleError(type, body)).toMatchObject({
        field: `${list}.0.notAField`,
        invalidValue: 1,
        resourceIndex: 0,
      });
    });
  });

  describe('attributes', () => {
    it('reports a wrong attribute value type with a single error', () => {
      const body = example('product-variant-import-request.json');
      body.resources[0].attributes[0].value = 'yes'; // boolean attribute
      expect(validateImportRequest('product-variant', body)).toEqual([
        {
          code: 'InvalidField',
          message: `The value '"yes"' is not valid for field 'resources.0.attributes.0.value': expected type boolean.`,
          field: 'resources.0.attributes.0.value',
          invalidValue: 'yes',
          resourceIndex: 0,
        },
      ]);
    });

    it('reports an unknown attribute type with a single error listing the types', () => {
      const body = example('product-variant-import-request.json');
      body.resources[0].attributes[1].type = 'decimal';
      const error = singleError('product-variant', body);
      expect(error).toMatchObject({ field: 'resources.0.attributes.1.type', invalidValue: 'decimal' });
      expect(error.allowedValues).toEqual(expect.arrayContaining(['boolean', 'number', 'ltext-set', 'reference-set']));
      expect(error.allowedValues).toHaveLength(22);
    });

    it('requires the attribute type and value', () => {
      const body = example('variants-import-request.json');
      body.resources[0].attributes = [{ name: 'color', value: 'blue' }, { name: 'size', type: 'text' }];
      expect(validateImportRequest('variant', body).map((e) => [e.field, e.invalidValue])).toEqual([
        ['resources.0.attributes.0.type', null],
        ['resources.0.attributes.1.value', null],
      ]);
    });

    it('accepts every attribute type with a valid value', () => {
      const body = request('product-variant', { ...example('product-variant-import.json'), attributes: ALL_ATTRIBUTES });
      expect(validateImportRequest('product-variant', body)).toEqual([]);
    });

    it.each<[string, unknown, string]>([
      ['ltext', 'plain', ''],
      ['ltext', { en: 1 }, '.en'],
      ['ltext-set', [{ en: 'a' }, 'b'], '.1'],
      ['number', '12', ''],
      ['number-set', [1, 'two'], '.1'],
      ['text-set', 'a', ''],
      ['enum', { key: 'red' }, ''],
      ['date', '2021-02-30', ''],
      ['date-set', ['2021-01-01', '01.01.2021'], '.1'],
      ['time', '25:00:00', ''],
      ['time', '10:00', ''],
      ['datetime', '2021-01-01 10:00:00', ''],
      ['datetime-set', ['yesterday'], '.0'],
      ['money', { type: 'centPrecision', currencyCode: 'EUR', centAmount: 1.5 }, '.centAmount'],
      ['money-set', [{ type: 'centPrecision', currencyCode: 'EURO', centAmount: 1 }], '.0.currencyCode'],
      ['reference', { typeId: 'product', key: 'x' }, '.key'],
      ['reference', { typeId: 'planet', key: 'xyz' }, '.typeId'],
      ['reference-set', [{ typeId: 'category' }], '.0.key'],
      ['boolean-set', [true, 'false'], '.1'],
    ])('%s attribute with value %j is rejected at value%s', (type, value, suffix) => {
      const body = example('product-variant-import-request.json');
      body.resources[0].attributes.push({ name: 'attr', type, value });
      const error = singleError('product-variant', body);
      expect(error.field).toBe(`resources.0.attributes.2.value${suffix}`);
      expect(error.resourceIndex).toBe(0);
    });
  });

  describe('custom fields', () => {
    const withCustom = (fields: Json): Json => {
      const body = example('category-import-request.json');
      body.resources[0].custom = { type: { typeId: 'type', key: 'category-type' }, fields };
      return body;
    };

    it('accepts typed custom fields', () => {
      const fields = {
        flag: { type: 'Boolean', value: true },
        count: { type: 'Number', value: 3 },
        labels: { type: 'StringSet', value: ['a', 'b'] },
        title: { type: 'LocalizedString', value: { en: 'x' } },
        price: { type: 'Money', value: { type: 'centPrecision', currencyCode: 'USD', centAmount: 100 } },
        ref: { type: 'Reference', value: { typeId: 'channel', key: 'store-1' } },
        day: { type: 'Date', value: '2024-02-29' },
        at: { type: 'DateTime', value: '2024-02-29T10:00:00.000Z' },
        clock: { type: 'Time', value: '10:00:00.000' },
      };
      expect(validateImportRequest('category', withCustom(fields))).toEqual([]);
    });

    it('validates a custom field value by its type', () => {
      expect(singleError('category', withCustom({ count: { type: 'Number', value: 'three' } }))).toMatchObject({
        field: 'resources.0.custom.fields.count.value',
        invalidValue: 'three',
      });
    });

    it('rejects an unknown custom field type', () => {
      expect(singleError('category', withCustom({ count: { type: 'Integer', value: 3 } }))).toMatchObject({
        field: 'resources.0.custom.fields.count.type',
        invalidValue: 'Integer',
      });
    });

    it('requires the custom type reference', () => {
      const body = withCustom({});
      delete body.resources[0].custom.type;
      expect(singleError('category', body)).toMatchObject({ field: 'resources.0.custom.type', invalidValue: null });
    });
  });

  describe('formats and numbers', () => {
    it('rejects an invalid date-only', () => {
      const body = example('customer-import-request.json');
      body.resources[0].dateOfBirth = '1980-13-01';
      expect(singleError('customer', body)).toMatchObject({
        field: 'resources.0.dateOfBirth',
        invalidValue: '1980-13-01',
      });
    });

    it('rejects an invalid datetime and accepts ISO 8601 variants', () => {
      const body = example('inventory-import-request.json');
      for (const ok of ['2022-06-30T14:00:00Z', '2022-06-30T14:00:00.123+02:00', '2022-06-30T14:00:00']) {
        body.resources[0].expectedDelivery = ok;
        expect(validateImportRequest('inventory', body)).toEqual([]);
      }
      body.resources[0].expectedDelivery = '30.06.2022';
      expect(singleError('inventory', body)).toMatchObject({
        field: 'resources.0.expectedDelivery',
        invalidValue: '30.06.2022',
      });
    });

    it('enforces integer quantities and RAML ranges', () => {
      const body = example('inventory-import-request.json');
      body.resources[0].quantityOnStock = 1.5;
      body.resources[0].reservationExpirationInMinutes = 0;
      expect(validateImportRequest('inventory', body).map((e) => [e.field, e.invalidValue])).toEqual([
        ['resources.0.quantityOnStock', 1.5],
        ['resources.0.reservationExpirationInMinutes', 0],
      ]);
    });

    it('requires at least one resourceTypeId on a type', () => {
      const body = example('type-import-request.json');
      body.resources[0].resourceTypeIds = [];
      expect(singleError('type', body)).toMatchObject({
        field: 'resources.0.resourceTypeIds',
        invalidValue: [],
      });
    });
  });

  describe('patches', () => {
    it('reports errors with the index into `patches`', () => {
      const body = example('order-patch-import-request.json');
      body.patches.push({ fields: {} });
      body.patches[0].fields.addReturnInfo.items[0].shipmentState = 'Lost';
      const errors = validateImportRequest('order-patch', body);
      expect(errors.map((e) => [e.field, e.invalidValue, e.resourceIndex])).toEqual([
        ['patches.0.fields.addReturnInfo.items.0.shipmentState', 'Lost', 0],
        ['patches.1.orderNumber', null, 1],
      ]);
    });

    it('validates product variant patch attributes by their type, allowing null to remove', () => {
      const body = example('product-variant-patch-request.json');
      body.patches[0].attributes['weight'] = { type: 'number', value: 'heavy' };
      body.patches[0].attributes['gone'] = null;
      expect(validateImportRequest('product-variant-patch', body)).toEqual([
        {
          code: 'InvalidField',
          message: `The value '"heavy"' is not valid for field 'patches.0.attributes.weight.value': expected type number.`,
          field: 'patches.0.attributes.weight.value',
          invalidValue: 'heavy',
          resourceIndex: 0,
        },
      ]);
    });

    it('rejects a patch attribute that is neither an attribute nor null', () => {
      const body = example('product-variant-patch-request.json');
      body.patches[0].attributes['color'] = 'red';
      expect(singleError('product-variant-patch', body)).toMatchObject({
        field: 'patches.0.attributes.color',
        invalidValue: 'red',
      });
    });

    it('requires the product variant reference', () => {
      const body = example('product-variant-patch-request.json');
      delete body.patches[0].productVariant;
      expect(singleError('product-variant-patch', body)).toMatchObject({
        field: 'patches.0.productVariant',
        invalidValue: null,
        resourceIndex: 0,
      });
    });
  });

  describe('error collapsing', () => {
    it('reports one error per problem, request-level errors first, then by resource index', () => {
      const a = example('category-import.json');
      const b = { ...example('category-import.json'), key: 'b!' };
      const c = example('category-import.json');
      delete c.name;
      c.parent = { typeId: 'category', key: 'p' };
      const body = { type: 'category', resources: [a, b, c], extra: 1 };
      expect(validateImportRequest('category', body).map((e) => [e.field, e.resourceIndex])).toEqual([
        ['extra', undefined],
        ['resources.1.key', 1],
        ['resources.2.name', 2],
        ['resources.2.parent.key', 2],
      ]);
    });

    it('always sets invalidValue and uses InvalidField for field errors', () => {
      const body = example('order-import-request.json');
      delete body.resources[0].totalPrice;
      body.resources[0].lineItems[0].quantity = 'ten';
      body.resources[0].customer.typeId = 'user';
      const errors = validateImportRequest('order', body);
      expect(errors.length).toBe(3);
      for (const e of errors) {
        expect(e.code).toBe('InvalidField');
        expect(e).toHaveProperty('invalidValue');
        expect(e.resourceIndex).toBe(0);
      }
    });
  });

  describe('messages say why a value is invalid', () => {
    const inventory = (fields: Json) => request('inventory', { ...example('inventory-import.json'), ...fields });
    const message = (body: Json) => singleError('inventory', body).message;

    it('names the length and the pattern, in one error when both fail', () => {
      expect(message(inventory({ key: 'k'.repeat(257) }))).toBe(`The value '"${'k'.repeat(119)}...' is not valid for field 'resources.0.key': expected at most 256 characters.`);
      const empty = singleError('inventory', inventory({ key: '' }));
      expect(empty).toMatchObject({ code: 'InvalidField', field: 'resources.0.key', invalidValue: '', resourceIndex: 0 });
      expect(empty.message).toBe("The value '\"\"' is not valid for field 'resources.0.key': expected at least 2 character(s); expected a value matching the pattern ^[A-Za-z0-9_-]+$.");
    });

    it('names the bounds of a number and the format of a date-time', () => {
      expect(message(inventory({ reservationExpirationInMinutes: 0 }))).toBe("The value '0' is not valid for field 'resources.0.reservationExpirationInMinutes': expected a number >= 1.");
      expect(message(inventory({ reservationExpirationInMinutes: 44641 }))).toBe("The value '44641' is not valid for field 'resources.0.reservationExpirationInMinutes': expected a number <= 44640.");
      expect(message(inventory({ expectedDelivery: 'tomorrow' }))).toBe(
        "The value '\"tomorrow\"' is not valid for field 'resources.0.expectedDelivery': expected an ISO 8601 date-time, e.g. 2024-01-31T12:00:00.000Z.",
      );
    });

    it('names the expected type of a wrong-typed value', () => {
      expect(message(inventory({ quantityOnStock: '5' }))).toBe("The value '\"5\"' is not valid for field 'resources.0.quantityOnStock': expected type integer.");
      expect(message(inventory({ supplyChannel: 'channel' }))).toBe("The value '\"channel\"' is not valid for field 'resources.0.supplyChannel': expected type object.");
    });

    it('lists the allowed values of an enum, at most 25 of them', () => {
      const body = example('type-import-request.json');
      body.resources[0].resourceTypeIds = ['nope'];
      const error = singleError('type', body);
      expect(error).toMatchObject({ field: 'resources.0.resourceTypeIds.0', invalidValue: 'nope', allowedValues: expect.any(Array) });
      expect(error.allowedValues!.length).toBeGreaterThan(25);
      expect(error.message).toMatch(/^The value '"nope"' is not valid for field 'resources\.0\.resourceTypeIds\.0': expected one of "address", "asset", .*, …\.$/);
      expect(error.message.match(/"[a-z-]+"/g)).toHaveLength(26); // the value and 25 allowed values
    });
  });
});

describe('resourceKeyOf', () => {
  it('uses orderNumber for orders', () => {
    const order = example('order-import.json');
    expect(resourceKeyOf('order', order)).toBe('order-number');
  });

  it('uses orderNumber for order patches and the productVariant key for product variant patches', () => {
    expect(resourceKeyOf('order-patch', example('order-patch-import.json')[0])).toBe('order-number');
    expect(resourceKeyOf('product-variant-patch', example('product-variant-patch.json'))).toBe('red-t-shirt');
  });

  it('uses key for the other resource types', () => {
    expect(resourceKeyOf('category', example('category-import.json'))).toBe('category-to-import');
    expect(resourceKeyOf('business-unit', example('business-units-division-import.json'))).toBe(
      'acme-business-unit-division-a',
    );
    expect(resourceKeyOf('variant', example('variants-import-request.json').resources[0])).toBe('variant-1');
  });

  it('throws when the resource has no key', () => {
    expect(() => resourceKeyOf('order', { key: 'x' })).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

const ALL_ATTRIBUTES: Json[] = [
  { name: 'a1', type: 'boolean', value: true },
  { name: 'a2', type: 'boolean-set', value: [true, false] },
  { name: 'a3', type: 'text', value: 'x' },
  { name: 'a4', type: 'text-set', value: ['x', 'y'] },
  { name: 'a5', type: 'ltext', value: { en: 'x', de: 'y' } },
  { name: 'a6', type: 'ltext-set', value: [{ en: 'x' }] },
  { name: 'a7', type: 'enum', value: 'red' },
  { name: 'a8', type: 'enum-set', value: ['red', 'blue'] },
  { name: 'a9', type: 'lenum', value: 'red' },
  { name: 'a10', type: 'lenum-set', value: ['red'] },
  { name: 'a11', type: 'number', value: 12.5 },
  { name: 'a12', type: 'number-set', value: [1, 2.5] },
  { name: 'a13', type: 'money', value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 100 } },
  {
    name: 'a14',
    type: 'money-set',
    value: [{ type: 'highPrecision', currencyCode: 'JPY', centAmount: 1, preciseAmount: 1234, fractionDigits: 3 }],
  },
  { name: 'a15', type: 'date', value: '2024-02-29' },
  { name: 'a16', type: 'date-set', value: ['2024-01-01'] },
  { name: 'a17', type: 'time', value: '23:59:59.999' },
  { name: 'a18', type: 'time-set', value: ['00:00:00'] },
  { name: 'a19', type: 'datetime', value: '2024-02-29T23:59:59.999Z' },
  { name: 'a20', type: 'datetime-set', value: ['2024-01-01T00:00:00+01:00'] },
  { name: 'a21', type: 'reference', value: { typeId: 'product', key: 'p-1' } },
  { name: 'a22', type: 'reference-set', value: [{ typeId: 'category', key: 'c-1' }] },
];

/** A rich, valid product draft (variants with prices, attributes, images, assets). */
function productDraft(i: number): Json {
  const variant = (v: number): Json => ({
    key: `pd-${i}-v${v}`,
    sku: `SKU-${i}-${v}`,
    prices: [
      {
        key: `price-${i}-${v}`,
        value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 1999 },
        country: 'DE',
        customerGroup: { typeId: 'customer-group', key: 'b2b' },
        channel: { typeId: 'channel', key: 'store-1' },
        validFrom: '2024-01-01T00:00:00.000Z',
        tiers: [{ minimumQuantity: 10, value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 1799 } }],
      },
    ],
    attributes: [
      { name: 'color', type: 'lenum', value: 'red' },
      { name: 'size', type: 'text', value: 'XL' },
      { name: 'weight', type: 'number', value: 1.25 },
      { name: 'material', type: 'ltext', value: { en: 'cotton', de: 'Baumwolle' } },
      { name: 'related', type: 'reference-set', value: [{ typeId: 'product', key: 'other-product' }] },
    ],
    images: [{ url: `https://example.com/${i}-${v}.png`, dimensions: { w: 800, h: 600 } }],
    assets: [
      {
        key: `asset-${i}-${v}`,
        name: { en: 'Manual' },
        sources: [{ uri: `https://example.com/${i}-${v}.pdf`, contentType: 'application/pdf' }],
      },
    ],
  });
  return {
    key: `product-draft-${i}`,
    productType: { typeId: 'product-type', key: 'shirt' },
    name: { en: `Shirt ${i}`, de: `Hemd ${i}` },
    slug: { en: `shirt-${i}`, de: `hemd-${i}` },
    description: { en: 'A shirt' },
    categories: [{ typeId: 'category', key: 'shirts' }],
    taxCategory: { typeId: 'tax-category', key: 'standard' },
    searchKeywords: { en: [{ text: 'shirt' }, { text: 'top', suggestTokenizer: { type: 'whitespace' } }] },
    masterVariant: variant(0),
    variants: [variant(1), variant(2)],
    publish: true,
  };
}
