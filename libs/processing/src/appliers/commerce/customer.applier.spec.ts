import { CustomerImport, checkCustomer, decideCustomer, emailClash, unchanged } from './customer.applier';

const GROUP_ID = '22222222-2222-4222-8222-222222222222';
const scope = { resolved: new Map([['customer-group:vip', GROUP_ID]]) };
const customer = (extra: Partial<CustomerImport> = {}): CustomerImport => ({ key: 'c1', email: 'Ann@Example.com', password: 'secret', ...extra });

describe('customer decisions (pure)', () => {
  it("a 'Password' customer (the default) needs a password; an 'ExternalAuth' one does not", () => {
    const required = {
      state: 'validationFailed',
      errors: [{ code: 'InvalidField', message: "The field 'password' is required when 'authenticationMode' is 'Password'.", field: 'password', invalidValue: null }],
    };
    expect(checkCustomer(customer({ password: undefined }))).toEqual(required);
    expect(checkCustomer(customer({ password: '', authenticationMode: 'Password' }))).toEqual(required);
    expect(checkCustomer(customer({ password: undefined, authenticationMode: 'ExternalAuth' }))).toBeUndefined();
    expect(checkCustomer(customer())).toBeUndefined();
  });

  it('another holder of the email rejects it as DuplicateField on email, naming the stores when it has some', () => {
    expect(emailClash(customer(), undefined)).toBeUndefined();
    expect(emailClash(customer(), 'c0')).toEqual({
      state: 'rejected',
      errors: [{ code: 'DuplicateField', message: "There is already an existing customer with the email 'Ann@Example.com'.", field: 'email', duplicateValue: 'Ann@Example.com' }],
    });
    const inStore = emailClash(customer({ stores: [{ typeId: 'store', key: 'eu' }] }), 'c0');
    expect(inStore).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', message: "There is already an existing customer with the email 'Ann@Example.com' in one of the stores." }] });
  });

  it('builds the Customer document: defaults, store key references, resolved customer group, default addresses in the id lists', () => {
    const decision = decideCustomer(
      customer({ firstName: 'Ann', stores: [{ typeId: 'store', key: 'eu' }], customerGroup: { typeId: 'customer-group', key: 'vip' }, addresses: [{ key: 'home', country: 'DE' }], defaultShippingAddress: 0 }),
      scope,
      undefined,
      [],
    );
    if (!('data' in decision)) throw new Error('expected a document');
    const data = decision.data;
    expect(data).toMatchObject({
      email: 'Ann@Example.com',
      firstName: 'Ann',
      isEmailVerified: false,
      authenticationMode: 'Password',
      stores: [{ typeId: 'store', key: 'eu' }],
      customerGroup: { typeId: 'customer-group', id: GROUP_ID },
    });
    const addresses = data.addresses as Array<Record<string, unknown>>;
    expect(addresses).toEqual([{ key: 'home', country: 'DE', id: expect.any(String) }]);
    expect(data.defaultShippingAddressId).toBe(addresses[0].id);
    expect(data.shippingAddressIds).toEqual([addresses[0].id]);
    expect(data.billingAddressIds).toEqual([]);
    expect(data).not.toHaveProperty('password');
  });

  it('a re-import keeps the ids of the stored addresses by key', () => {
    const previous = { addresses: [{ key: 'home', id: 'addr-1', country: 'DE' }] };
    const decision = decideCustomer(customer({ addresses: [{ key: 'work', country: 'FR' }, { key: 'home', country: 'AT' }] }), scope, previous, []);
    if (!('data' in decision)) throw new Error('expected a document');
    const addresses = decision.data.addresses as Array<Record<string, unknown>>;
    expect(addresses[1]).toEqual({ key: 'home', country: 'AT', id: 'addr-1' });
    expect(addresses[0].id).not.toBe('addr-1');
  });

  it('fails validation with the custom-field errors first, then an address index that points nowhere', () => {
    const customError = { code: 'InvalidField', message: 'bad custom field', field: 'custom.fields.x' };
    expect(decideCustomer(customer({ addresses: [{ country: 'DE' }], defaultBillingAddress: 3 }), scope, undefined, [customError])).toEqual({
      result: {
        state: 'validationFailed',
        errors: [
          customError,
          { code: 'InvalidField', message: "The value '3' is not valid for field 'defaultBillingAddress': there is no address at that index.", field: 'defaultBillingAddress', invalidValue: 3 },
        ],
      },
    });
  });

  it('a write is unchanged only when both the document and the password hash are', () => {
    const stored = { id: 'id', version: 4, data: { email: 'a@b.c', stores: [] }, password_hash: 'hash' };
    const write = { data: { stores: [], email: 'a@b.c' }, emailLower: 'a@b.c', storeKeys: [], passwordHash: 'hash' };
    expect(unchanged(stored, write)).toBe(true);
    expect(unchanged(stored, { ...write, passwordHash: 'other' })).toBe(false);
    expect(unchanged(stored, { ...write, data: { ...write.data, firstName: 'Ann' } })).toBe(false);
  });
});
