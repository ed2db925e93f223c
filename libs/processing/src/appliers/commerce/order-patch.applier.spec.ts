import { decidePatch } from './order-patch.applier';

const NOW = '2026-12-01T12:00:00.000Z';
const shipped = () => ({
  version: 3,
  data: {
    orderNumber: 'o-1',
    shippingInfo: { shippingMethodName: 'Standard', deliveries: [{ id: 'd1', createdAt: NOW, items: [], parcels: [{ id: 'p1', createdAt: NOW, items: [], trackingData: { trackingId: 'T1' } }] }] },
  },
});

describe('order patch decisions (pure)', () => {
  it('adds a parcel to a delivery, without touching the stored data', () => {
    const stored = shipped();
    const decision = decidePatch(stored, { addParcelToDelivery: { deliveryId: 'd1', trackingData: { trackingId: 'T2' } } }, NOW);
    if (!('data' in decision)) throw new Error('expected patched data');
    const [delivery] = (decision.data.shippingInfo as { deliveries: Array<{ parcels: unknown[] }> }).deliveries;
    expect(delivery.parcels).toEqual([expect.objectContaining({ id: 'p1' }), { id: expect.any(String), createdAt: NOW, trackingData: { trackingId: 'T2' }, items: [] }]);
    expect(stored).toEqual(shipped());
  });

  it('a patch that changes nothing keeps the stored version', () => {
    expect(decidePatch(shipped(), { setParcelTrackingData: { parcelId: 'p1', trackingData: { trackingId: 'T1' } } }, NOW)).toEqual({ result: { state: 'imported', resourceVersion: 3 } });
  });

  it('an unknown delivery or parcel fails validation as InvalidField on its fields path', () => {
    expect(decidePatch(shipped(), { removeDelivery: { id: 'nope' } }, NOW)).toEqual({
      result: { state: 'validationFailed', errors: [{ code: 'InvalidField', message: "The order has no delivery with id 'nope'.", field: 'fields.removeDelivery.id', invalidValue: 'nope' }] },
    });
    expect(decidePatch(shipped(), { setParcelItems: [{ parcelId: 'p1' }, { parcelId: 'p9' }] }, NOW)).toEqual({
      result: { state: 'validationFailed', errors: [{ code: 'InvalidField', message: "The order has no parcel with id 'p9'.", field: 'fields.setParcelItems.1.parcelId', invalidValue: 'p9' }] },
    });
  });

  it('deliveries of an order without shippingInfo are an InvalidOperation', () => {
    expect(decidePatch({ version: 1, data: { orderNumber: 'o-2' } }, { addDeliveries: [{ items: [], parcels: [] }] }, NOW)).toEqual({
      result: { state: 'validationFailed', errors: [{ code: 'InvalidOperation', message: "The order 'o-2' has no shippingInfo: deliveries cannot be changed." }] },
    });
  });
});
