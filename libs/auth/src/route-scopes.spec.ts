import { grantingScopes, viewScopesOnWrites } from './route-scopes';

describe('route scopes', () => {
  it('lets view_* scopes grant reads only', () => {
    expect(grantingScopes(['manage_products', 'view_products'], 'GET')).toEqual(['manage_products', 'view_products']);
    expect(grantingScopes(['manage_products', 'view_products'], 'HEAD')).toEqual(['manage_products', 'view_products']);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'ALL']) expect(grantingScopes(['manage_products', 'view_products'], method)).toEqual(['manage_products']);
  });

  it('finds write routes declaring a view_* scope', () => {
    expect(
      viewScopesOnWrites([
        { name: 'A.read', method: 'GET', scopes: ['view_products'], isPublic: false },
        { name: 'A.write', method: 'POST', scopes: ['manage_standalone_prices', 'view_standalone_prices'], isPublic: false },
        { name: 'A.ok', method: 'DELETE', scopes: ['manage_products'], isPublic: false },
      ]),
    ).toEqual(['POST A.write: view_standalone_prices']);
  });
});
