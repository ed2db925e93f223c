import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

describe('commerce: customers, discount codes, orders, order patches, business units, product selections and tailorings', () => {
  let t: TestApp;
  const project = 'test';
  const container = 'commerce';

  const eur = (centAmount: number) => ({ type: 'centPrecision', currencyCode: 'EUR', centAmount });

  const post = async (path: string, type: string, items: unknown[]) => {
    const body = type === 'order-patch' ? { type, patches: items } : { type, resources: items };
    const res = await t.http.post(`/${project}/${path}/import-containers/${container}`).set(t.auth).send(body);
    expect({ status: res.status, body: res.status === 201 ? undefined : res.body }).toEqual({ status: 201, body: undefined });
    return res.body.operationStatus.map((status: { operationId: string }) => status.operationId) as string[];
  };
  const operation = async (id: string) => (await t.http.get(`/${project}/import-operations/${id}`).set(t.auth)).body;
  /** Imports and drains; returns the settled operations. */
  const importAndDrain = async (path: string, type: string, items: unknown[]) => {
    const ids = await post(path, type, items);
    await drain(t);
    return Promise.all(ids.map(operation));
  };
  const read = async (path: string) => {
    const res = await t.http.get(`/${project}/${path}`).set(t.auth);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.body;
  };
  const createReferenced = async (path: string, draft: Record<string, unknown>) => {
    const res = await t.http.post(`/${project}/${path}`).set(t.auth).send(draft);
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string };
  };

  const customer = (key: string, overrides: Record<string, unknown> = {}) => ({
    key,
    email: `${key}@example.com`,
    password: 'S3cret!pass',
    firstName: 'Jane',
    lastName: 'Doe',
    addresses: [
      { key: `${key}-home`, streetName: 'Main Street', streetNumber: '1', postalCode: '10115', city: 'Berlin', country: 'DE' },
      { key: `${key}-office`, streetName: 'Work Street', city: 'Munich', country: 'DE' },
    ],
    defaultShippingAddress: 0,
    billingAddresses: [1],
    ...overrides,
  });

  beforeAll(async () => {
    t = await createTestApp();
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: container }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('customers', () => {
    it('imports a customer with addresses and a customer group; reads it back without any password', async () => {
      const group = await createReferenced('customer-groups', { key: 'vip', groupName: 'VIP' });
      const [op] = await importAndDrain('customers', 'customer', [customer('jane', { customerGroup: { typeId: 'customer-group', key: 'vip' }, customerNumber: 'C-1' })]);
      expect(op).toMatchObject({ state: 'imported', resourceVersion: 1 });

      const body = await read('customers/key=jane');
      expect(body).toMatchObject({
        key: 'jane',
        version: 1,
        email: 'jane@example.com',
        customerNumber: 'C-1',
        firstName: 'Jane',
        lastName: 'Doe',
        isEmailVerified: false,
        authenticationMode: 'Password',
        customerGroup: { typeId: 'customer-group', id: group.id },
        stores: [],
      });
      const [home, office] = body.addresses;
      expect(home).toMatchObject({ id: expect.any(String), key: 'jane-home', streetName: 'Main Street', city: 'Berlin', country: 'DE' });
      expect(office).toMatchObject({ id: expect.any(String), key: 'jane-office' });
      expect(body.defaultShippingAddressId).toBe(home.id);
      expect(body.shippingAddressIds).toEqual([home.id]);
      expect(body.billingAddressIds).toEqual([office.id]);
      expect(body.defaultBillingAddressId).toBeUndefined();
      const text = JSON.stringify(body);
      expect(text).not.toMatch(/"password|[Hh]ash|S3cret|scrypt/);
      expect(JSON.stringify(await read('customers'))).not.toMatch(/"password|[Hh]ash|S3cret|scrypt/);
      expect(JSON.stringify(await read(`customers/${body.id as string}`))).not.toMatch(/"password|[Hh]ash|S3cret|scrypt/);

      const [{ password_hash: hash }] = await t.dataSource.query(`SELECT password_hash FROM customers WHERE project_key = $1 AND key = 'jane'`, [project]);
      expect(hash).toMatch(/^scrypt\$/);
      expect(hash).not.toContain('S3cret');
    });

    it('keeps the version when nothing changed, bumps it on a change and keeps address ids', async () => {
      const before = await read('customers/key=jane');
      const [same] = await importAndDrain('customers', 'customer', [customer('jane', { customerGroup: { typeId: 'customer-group', key: 'vip' }, customerNumber: 'C-1' })]);
      expect(same).toMatchObject({ state: 'imported', resourceVersion: 1 });
      const [changed] = await importAndDrain('customers', 'customer', [customer('jane', { customerGroup: { typeId: 'customer-group', key: 'vip' }, customerNumber: 'C-1', firstName: 'Janet' })]);
      expect(changed).toMatchObject({ state: 'imported', resourceVersion: 2 });
      const after = await read('customers/key=jane');
      expect(after).toMatchObject({ version: 2, firstName: 'Janet' });
      expect(after.addresses.map((a: { id: string }) => a.id)).toEqual(before.addresses.map((a: { id: string }) => a.id));
      const [newPassword] = await importAndDrain('customers', 'customer', [
        customer('jane', { customerGroup: { typeId: 'customer-group', key: 'vip' }, customerNumber: 'C-1', firstName: 'Janet', password: 'another' }),
      ]);
      expect(newPassword).toMatchObject({ state: 'imported', resourceVersion: 3 });
    });

    it('rejects another customer with the same email (case-insensitively)', async () => {
      const [op] = await importAndDrain('customers', 'customer', [customer('jane-twin', { email: 'JANE@example.com' })]);
      expect(op).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', field: 'email', duplicateValue: 'JANE@example.com' }] });
      expect((await t.http.get(`/${project}/customers/key=jane-twin`).set(t.auth)).status).toBe(404);
    });

    it('scopes email uniqueness to stores when customers belong to stores', async () => {
      await createReferenced('stores', { key: 'store-a' });
      await createReferenced('stores', { key: 'store-b' });
      const [a, b, c] = await importAndDrain('customers', 'customer', [
        customer('store-a-cust', { email: 'shared@example.com', stores: [{ typeId: 'store', key: 'store-a' }] }),
        customer('store-b-cust', { email: 'shared@example.com', stores: [{ typeId: 'store', key: 'store-b' }] }),
        customer('global-cust', { email: 'shared@example.com' }),
      ]);
      expect(a.state).toBe('imported');
      expect(b.state).toBe('imported');
      expect(c).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', field: 'email' }] });
      expect(await read('customers/key=store-a-cust')).toMatchObject({ stores: [{ typeId: 'store', key: 'store-a' }] });
    });

    it('fails validation without a password in Password mode; ExternalAuth needs none', async () => {
      const [password, external] = await importAndDrain('customers', 'customer', [
        customer('no-password', { password: undefined }),
        customer('external', { password: undefined, authenticationMode: 'ExternalAuth' }),
      ]);
      expect(password).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'password' }] });
      expect(external).toMatchObject({ state: 'imported', resourceVersion: 1 });
      expect(await read('customers/key=external')).toMatchObject({ authenticationMode: 'ExternalAuth' });
    });

    it('fails validation for an address index out of range', async () => {
      const [op] = await importAndDrain('customers', 'customer', [customer('bad-index', { defaultBillingAddress: 5 })]);
      expect(op).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'defaultBillingAddress', invalidValue: 5 }] });
    });

    it('stores custom fields checked against their Type (for customers only)', async () => {
      const [type] = await importAndDrain('types', 'type', [
        {
          key: 'customer-extras',
          name: { en: 'Customer extras' },
          resourceTypeIds: ['customer'],
          fieldDefinitions: [{ type: { name: 'String' }, name: 'nickname', label: { en: 'Nickname' }, required: false, inputHint: 'SingleLine' }],
        },
      ]);
      expect(type.state).toBe('imported');
      const custom = { type: { typeId: 'type', key: 'customer-extras' }, fields: { nickname: { type: 'String', value: 'JJ' } } };
      const [ok, wrongValue, wrongResource] = await importAndDrain('customers', 'customer', [
        customer('custom-ok', { custom }),
        customer('custom-bad', { custom: { ...custom, fields: { nickname: { type: 'Number', value: 3 } } } }),
        customer('custom-addr', { addresses: [{ key: 'custom-addr-home', country: 'DE', custom }], defaultShippingAddress: 0, billingAddresses: [] }),
      ]);
      expect(ok).toMatchObject({ state: 'imported' });
      const typeId = (await read('types/key=customer-extras')).id;
      expect(await read('customers/key=custom-ok')).toMatchObject({ custom: { type: { typeId: 'type', id: typeId }, fields: { nickname: 'JJ' } } });
      expect(wrongValue).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'custom.fields.nickname' }] });
      expect(wrongResource).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'addresses.0.custom.type' }] });
    });

    it('waits for a missing customer group, then imports once the group is created', async () => {
      const [op] = await importAndDrain('customers', 'customer', [customer('waiting', { customerGroup: { typeId: 'customer-group', key: 'late-group' } })]);
      expect(op).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'customer-group', key: 'late-group' }] });
      const group = await createReferenced('customer-groups', { key: 'late-group', groupName: 'Late' });
      await drain(t);
      expect(await operation(op.id)).toMatchObject({ state: 'imported', resourceVersion: 1 });
      expect(await read('customers/key=waiting')).toMatchObject({ customerGroup: { typeId: 'customer-group', id: group.id } });
    });
  });

  describe('discount codes', () => {
    it('imports a discount code over a cart discount; a code clash is rejected', async () => {
      const cartDiscount = await createReferenced('cart-discounts', {
        key: 'ten-off',
        name: { en: '10% off' },
        value: { type: 'relative', permyriad: 1000 },
        cartPredicate: '1 = 1',
        sortOrder: '0.5',
        requiresDiscountCode: true,
      });
      const [op] = await importAndDrain('discount-codes', 'discount-code', [
        { key: 'save10', code: 'SAVE10', name: { en: 'Save 10' }, cartDiscounts: [{ typeId: 'cart-discount', key: 'ten-off' }], isActive: true, maxApplications: 100, groups: ['spring'] },
      ]);
      expect(op).toMatchObject({ state: 'imported', resourceVersion: 1 });
      expect(await read('discount-codes/key=save10')).toMatchObject({
        key: 'save10',
        version: 1,
        code: 'SAVE10',
        name: { en: 'Save 10' },
        cartDiscounts: [{ typeId: 'cart-discount', id: cartDiscount.id }],
        isActive: true,
        maxApplications: 100,
        groups: ['spring'],
        references: [],
      });

      const [clash] = await importAndDrain('discount-codes', 'discount-code', [{ key: 'other', code: 'SAVE10', cartDiscounts: [{ typeId: 'cart-discount', key: 'ten-off' }], isActive: true }]);
      expect(clash).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', field: 'code', duplicateValue: 'SAVE10' }] });

      const [update] = await importAndDrain('discount-codes', 'discount-code', [{ key: 'save10', code: 'SAVE10', cartDiscounts: [{ typeId: 'cart-discount', key: 'ten-off' }], isActive: false }]);
      expect(update).toMatchObject({ state: 'imported', resourceVersion: 2 });
    });

    it('waits for a missing cart discount', async () => {
      const [op] = await importAndDrain('discount-codes', 'discount-code', [{ key: 'later', code: 'LATER', cartDiscounts: [{ typeId: 'cart-discount', key: 'nope' }], isActive: true }]);
      expect(op).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'cart-discount', key: 'nope' }] });
    });
  });

  describe('orders and order patches', () => {
    const order = (orderNumber: string, overrides: Record<string, unknown> = {}) => ({
      orderNumber,
      customer: { typeId: 'customer', key: 'jane' },
      customerEmail: 'jane@example.com',
      lineItems: [
        {
          name: { en: 'Mug' },
          quantity: 2,
          price: { value: eur(1200) },
          variant: { productVariant: { typeId: 'product-variant', key: 'mug-m' }, sku: 'mug-sku' },
        },
      ],
      customLineItems: [{ name: { en: 'Gift wrap' }, money: eur(300), totalPrice: eur(300), slug: 'gift-wrap', quantity: 1 }],
      totalPrice: eur(2700),
      shippingAddress: { country: 'DE', city: 'Berlin' },
      shippingInfo: { shippingMethodName: 'Standard', price: eur(0), shippingRate: { price: eur(0) } },
      orderState: 'Confirmed',
      ...overrides,
    });

    beforeAll(async () => {
      const [type] = await importAndDrain('product-types', 'product-type', [{ key: 'mugs', name: 'Mugs', description: 'Mugs' }]);
      expect(type.state).toBe('imported');
      const [product] = await importAndDrain('product-drafts', 'product-draft', [
        { key: 'mug', name: { en: 'Mug' }, slug: { en: 'mug' }, productType: { typeId: 'product-type', key: 'mugs' }, masterVariant: { key: 'mug-m', sku: 'mug-sku' } },
      ]);
      expect(product.state).toBe('imported');
    });

    it('waits with an order patch until the order arrives, then imports the order and applies the patch', async () => {
      const [patch] = await importAndDrain('order-patches', 'order-patch', [
        { orderNumber: 'ord-1', fields: { addDeliveries: [{ items: [{ id: 'li-1', quantity: 2 }], parcels: [{ measurements: { weightInGram: 500 } }] }] } },
      ]);
      expect(patch).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'order', key: 'ord-1' }] });

      const [op] = await importAndDrain('orders', 'order', [order('ord-1')]);
      expect(op).toMatchObject({ state: 'imported', resourceVersion: 1, resourceKey: 'ord-1' });
      expect(await operation(patch.id)).toMatchObject({ state: 'imported', resourceVersion: 2 });

      const product = await read('products/key=mug');
      const jane = await read('customers/key=jane');
      const body = await read('orders/order-number=ord-1');
      expect(body).toMatchObject({
        version: 2,
        orderNumber: 'ord-1',
        customerId: jane.id,
        customerEmail: 'jane@example.com',
        orderState: 'Confirmed',
        totalPrice: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 2700, fractionDigits: 2 },
        shippingAddress: { country: 'DE', city: 'Berlin' },
        lineItems: [
          {
            id: expect.any(String),
            productId: product.id,
            productKey: 'mug',
            name: { en: 'Mug' },
            productType: { typeId: 'product-type', id: product.productType.id },
            variant: { id: 1, sku: 'mug-sku', key: 'mug-m' },
            price: { value: { centAmount: 1200, currencyCode: 'EUR' } },
            quantity: 2,
            totalPrice: { centAmount: 2400, currencyCode: 'EUR' },
          },
        ],
        customLineItems: [{ id: expect.any(String), name: { en: 'Gift wrap' }, slug: 'gift-wrap', quantity: 1 }],
      });
      const deliveries = body.shippingInfo.deliveries;
      expect(deliveries).toEqual([
        {
          id: expect.any(String),
          createdAt: expect.any(String),
          items: [{ id: 'li-1', quantity: 2 }],
          parcels: [{ id: expect.any(String), createdAt: expect.any(String), measurements: { weightInGram: 500 }, items: [] }],
        },
      ]);
      expect(await read(`orders/${body.id as string}`)).toEqual(body);

      const [parcel] = await importAndDrain('order-patches', 'order-patch', [
        { orderNumber: 'ord-1', fields: { addParcelToDelivery: { deliveryId: deliveries[0].id, trackingData: { carrier: 'DHL', trackingId: 'T-1' } } } },
      ]);
      expect(parcel).toMatchObject({ state: 'imported', resourceVersion: 3 });
      const afterParcel = await read('orders/order-number=ord-1');
      expect(afterParcel.shippingInfo.deliveries[0].parcels).toHaveLength(2);
      expect(afterParcel.shippingInfo.deliveries[0].parcels[1]).toMatchObject({ trackingData: { carrier: 'DHL', trackingId: 'T-1' } });

      const [unknown] = await importAndDrain('order-patches', 'order-patch', [{ orderNumber: 'ord-1', fields: { removeDelivery: { id: 'no-such-delivery' } } }]);
      expect(unknown).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'fields.removeDelivery.id' }] });

      const [removed] = await importAndDrain('order-patches', 'order-patch', [
        { orderNumber: 'ord-1', fields: { addReturnInfo: { items: [{ quantity: 1, lineItemId: body.lineItems[0].id, shipmentState: 'Returned' }] }, removeDelivery: { id: deliveries[0].id } } },
      ]);
      expect(removed).toMatchObject({ state: 'imported', resourceVersion: 4 });
      const final = await read('orders/order-number=ord-1');
      expect(final.shippingInfo.deliveries).toEqual([]);
      expect(final.returnInfo).toEqual([{ items: [expect.objectContaining({ type: 'LineItemReturnItem', quantity: 1, shipmentState: 'Returned', paymentState: 'Initial' })] }]);
    });

    it('rejects an order whose orderNumber exists', async () => {
      const [op] = await importAndDrain('orders', 'order', [order('ord-1', { orderState: 'Open' })]);
      expect(op).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', field: 'orderNumber', duplicateValue: 'ord-1' }] });
      expect((await read('orders/order-number=ord-1')).orderState).toBe('Confirmed');
    });

    it('leaves an order with a missing product unresolved; 404 for an unknown orderNumber', async () => {
      const [op] = await importAndDrain('orders', 'order', [
        order('ord-2', { lineItems: [{ name: { en: 'Ghost' }, quantity: 1, price: { value: eur(100) }, product: { typeId: 'product', key: 'ghost' }, variant: { sku: 'ghost-sku' } }] }),
      ]);
      expect(op).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'product', key: 'ghost' }] });
      expect((await t.http.get(`/${project}/orders/order-number=ord-2`).set(t.auth)).status).toBe(404);
    });

    it('reads an order by orderNumber (GET /{projectKey}/orders/order-number={orderNumber})', async () => {
      const byNumber = await t.http.get(`/${project}/orders/order-number=ord-1`).set(t.auth);
      expect(byNumber.status).toBe(200);
      expect(byNumber.body).toEqual(await read('orders/order-number=ord-1'));
      expect((await t.http.get(`/${project}/orders/order-number=ord-404`).set(t.auth)).status).toBe(404);
      const viewer = await t.client(`view_orders:${project}`);
      expect((await t.http.get(`/${project}/orders/order-number=ord-1`).set(viewer.header)).status).toBe(200);
      const stranger = await t.client(`view_customers:${project}`);
      expect((await t.http.get(`/${project}/orders/order-number=ord-1`).set(stranger.header)).status).toBe(403);
    });

    it('resolves a line item by SKU alone', async () => {
      const [op] = await importAndDrain('orders', 'order', [
        order('ord-3', { customer: undefined, lineItems: [{ name: { en: 'Mug' }, quantity: 1, price: { value: eur(1200) }, variant: { sku: 'mug-sku' } }] }),
      ]);
      expect(op).toMatchObject({ state: 'imported', resourceVersion: 1 });
      const product = await read('products/key=mug');
      expect((await read('orders/order-number=ord-3')).lineItems[0]).toMatchObject({ productId: product.id, variant: { id: 1, sku: 'mug-sku' } });
    });
  });

  describe('business units', () => {
    it('waits with a division for its parent company, then imports both', async () => {
      const [division] = await importAndDrain('business-units', 'business-unit', [
        { key: 'acme-div', name: 'ACME Division', unitType: 'Division', parentUnit: { typeId: 'business-unit', key: 'acme' } },
      ]);
      expect(division).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'business-unit', key: 'acme' }] });
      const [company] = await importAndDrain('business-units', 'business-unit', [
        {
          key: 'acme',
          name: 'ACME',
          unitType: 'Company',
          contactEmail: 'info@acme.example',
          addresses: [{ key: 'hq', country: 'DE', city: 'Berlin' }],
          defaultBillingAddress: 0,
          associates: [{ customer: { typeId: 'customer', key: 'jane' }, associateRoleAssignments: [{ associateRole: { typeId: 'associate-role', key: 'admin' }, inheritance: 'Enabled' }] }],
          stores: [{ typeId: 'store', key: 'store-a' }],
        },
      ]);
      expect(company).toMatchObject({ state: 'imported', resourceVersion: 1 });
      expect(await operation(division.id)).toMatchObject({ state: 'imported', resourceVersion: 1 });

      const jane = await read('customers/key=jane');
      const body = await read('business-units/key=acme');
      expect(body).toMatchObject({
        key: 'acme',
        unitType: 'Company',
        name: 'ACME',
        status: 'Active',
        storeMode: 'Explicit',
        associateMode: 'Explicit',
        topLevelUnit: { typeId: 'business-unit', key: 'acme' },
        stores: [{ typeId: 'store', key: 'store-a' }],
        associates: [{ customer: { typeId: 'customer', id: jane.id }, associateRoleAssignments: [{ associateRole: { typeId: 'associate-role', key: 'admin' }, inheritance: 'Enabled' }] }],
      });
      expect(body.defaultBillingAddressId).toBe(body.addresses[0].id);
      const [again] = await importAndDrain('business-units', 'business-unit', [
        {
          key: 'acme-div',
          name: 'ACME Division',
          unitType: 'Division',
          parentUnit: { typeId: 'business-unit', key: 'acme' },
          addresses: [{ country: 'DE', city: 'Hamburg' }],
          defaultShippingAddress: 0,
        },
      ]);
      expect(again).toMatchObject({ state: 'imported', resourceVersion: 2 });
      const [unchanged] = await importAndDrain('business-units', 'business-unit', [
        {
          key: 'acme-div',
          name: 'ACME Division',
          unitType: 'Division',
          parentUnit: { typeId: 'business-unit', key: 'acme' },
          addresses: [{ country: 'DE', city: 'Hamburg' }],
          defaultShippingAddress: 0,
        },
      ]);
      expect(unchanged).toMatchObject({ state: 'imported', resourceVersion: 2 });
      expect(await read('business-units/key=acme-div')).toMatchObject({
        unitType: 'Division',
        parentUnit: { typeId: 'business-unit', key: 'acme' },
        topLevelUnit: { typeId: 'business-unit', key: 'acme' },
        storeMode: 'FromParent',
      });
    });
  });

  describe('product selections and tailorings', () => {
    it('imports a product selection with its assignments', async () => {
      const [op] = await importAndDrain('product-selections', 'product-selection', [
        { key: 'featured', name: { en: 'Featured' }, assignments: [{ product: { typeId: 'product', key: 'mug' }, variantSelection: { type: 'includeOnly', skus: ['mug-sku'] } }] },
      ]);
      expect(op).toMatchObject({ state: 'imported', resourceVersion: 1 });
      expect(await read('product-selections/key=featured')).toMatchObject({ key: 'featured', name: { en: 'Featured' }, mode: 'Individual', productCount: 1 });
      const [invalid] = await importAndDrain('product-selections', 'product-selection', [
        { key: 'featured', name: { en: 'Featured' }, mode: 'Individual', assignments: [{ product: { typeId: 'product', key: 'mug' }, variantExclusion: { skus: ['mug-sku'] } }] },
      ]);
      expect(invalid).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'assignments.0.variantExclusion' }] });
    });

    it('imports a product tailoring for a store and product; a second tailoring of the pair is rejected', async () => {
      const product = await read('products/key=mug');
      const [op] = await importAndDrain('product-tailorings', 'product-tailoring', [
        {
          key: 'mug-store-a',
          store: { typeId: 'store', key: 'store-a' },
          product: { typeId: 'product', key: 'mug' },
          name: { en: 'Store A mug' },
          publish: true,
          variants: [{ sku: 'mug-sku', images: [{ url: 'https://example.com/mug.png', dimensions: { w: 10, h: 10 } }] }],
        },
      ]);
      expect(op).toMatchObject({ state: 'imported', resourceVersion: 1 });
      expect(await read('product-tailorings/key=mug-store-a')).toMatchObject({
        store: { typeId: 'store', key: 'store-a' },
        product: { typeId: 'product', id: product.id },
        published: true,
        hasStagedChanges: false,
        current: { name: { en: 'Store A mug' }, variants: [{ id: 1, sku: 'mug-sku' }] },
      });
      const [clash] = await importAndDrain('product-tailorings', 'product-tailoring', [
        { key: 'mug-store-a-2', store: { typeId: 'store', key: 'store-a' }, product: { typeId: 'product', key: 'mug' }, name: { en: 'Again' } },
      ]);
      expect(clash).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', field: 'product' }] });
    });
  });
});
