import { randomUUID } from 'node:crypto';
import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { compact, sameData } from '../../../../catalog/src/products/product-model';
import { findByOrderNumber, updateOrderData } from '../../../../catalog/src/orders/orders.repository';

type Json = Record<string, unknown>;

interface DeliveryItem {
  id: string;
  quantity: number;
}

interface ParcelDraft {
  measurements?: Json;
  trackingData?: Json;
  items?: DeliveryItem[];
}

interface OrderField {
  addReturnInfo?: { items: Array<Json & { quantity: number; shipmentState: string; lineItemId?: string; customLineItemId?: string }>; returnTrackingId?: string; returnDate?: string };
  addDeliveries?: Array<{ items: DeliveryItem[]; address?: Json; parcels: ParcelDraft[] }>;
  addParcelToDelivery?: ParcelDraft & { deliveryId: string };
  setDeliveryAddress?: { deliveryId: string; address?: Json };
  setParcelMeasurements?: { parcelId: string; measurements?: Json };
  setParcelTrackingData?: { parcelId: string; trackingData?: Json };
  setParcelItems?: Array<{ parcelId: string; items?: DeliveryItem[] }>;
  removeParcelFromDelivery?: { parcelId: string };
  removeDelivery?: { id: string };
}

export interface OrderPatchImport {
  orderNumber: string;
  fields: OrderField;
}

interface Parcel extends Json {
  id: string;
}

interface Delivery extends Json {
  id: string;
  parcels: Parcel[];
}

class PatchError extends Error {
  constructor(readonly error: ErrorObject) {
    super(error.message);
  }
}

const invalid = (field: string, value: unknown, message: string) => new PatchError({ code: 'InvalidField', message, field: `fields.${field}`, invalidValue: value });

const newParcel = (draft: ParcelDraft, now: string): Parcel => compact({ id: randomUUID(), createdAt: now, measurements: draft.measurements, trackingData: draft.trackingData, items: draft.items ?? [] });

/**
 * OrderPatchImport: patches deliveries, parcels and return info of an existing order (waits, unresolved, until
 * the order with that orderNumber exists). The patch's fields apply in a fixed order: additions first, removals
 * last. Each patch that changes the order bumps its version.
 */
export const orderPatchApplier: Applier<OrderPatchImport> = {
  resourceType: 'order-patch',
  references: (patch) => [{ typeId: 'order', key: patch.orderNumber }],
  async apply(patch: OrderPatchImport, context: ApplyContext): Promise<ApplyResult> {
    const row = await findByOrderNumber(context, patch.orderNumber, true);
    if (!row) throw new Error(`order ${patch.orderNumber} vanished`);
    const decision = decidePatch(row, patch.fields, new Date().toISOString());
    if ('result' in decision) return decision.result;
    return { state: 'imported', resourceVersion: await updateOrderData(context, row.id, decision.data) };
  },
};

/**
 * Pure: the patched order data (the stored one is not modified), or the outcome without writing: validationFailed
 * for a delivery or parcel the order lacks (InvalidField) or deliveries of an order without shippingInfo
 * (InvalidOperation), imported with the stored version when the patch changes nothing.
 */
export function decidePatch(stored: { data: Json; version: number }, fields: OrderField, now: string): { result: ApplyResult } | { data: Json } {
  let data: Json;
  try {
    data = applyFields(structuredClone(stored.data), fields, now);
  } catch (error) {
    if (error instanceof PatchError) return { result: { state: 'validationFailed', errors: [error.error] } };
    throw error;
  }
  if (sameData(data, stored.data)) return { result: { state: 'imported', resourceVersion: stored.version } };
  return { data };
}

function applyFields(order: Json, fields: OrderField, now: string): Json {
  if (fields.addReturnInfo) {
    const info = fields.addReturnInfo;
    const items = info.items.map((item) =>
      compact({
        id: randomUUID(),
        type: item.customLineItemId !== undefined ? 'CustomLineItemReturnItem' : 'LineItemReturnItem',
        quantity: item.quantity,
        lineItemId: item.lineItemId,
        customLineItemId: item.customLineItemId,
        comment: item.comment,
        shipmentState: item.shipmentState,
        paymentState: 'Initial',
        createdAt: now,
        lastModifiedAt: now,
      }),
    );
    order.returnInfo = [...((order.returnInfo as Json[] | undefined) ?? []), compact({ items, returnTrackingId: info.returnTrackingId, returnDate: info.returnDate })];
  }

  const touchesDeliveries =
    fields.addDeliveries || fields.addParcelToDelivery || fields.setDeliveryAddress || fields.setParcelMeasurements || fields.setParcelTrackingData || fields.setParcelItems || fields.removeParcelFromDelivery || fields.removeDelivery;
  if (!touchesDeliveries) return order;
  const shippingInfo = order.shippingInfo as Json | undefined;
  if (!shippingInfo) {
    throw new PatchError({ code: 'InvalidOperation', message: `The order '${order.orderNumber as string}' has no shippingInfo: deliveries cannot be changed.` });
  }
  const deliveries: Delivery[] = ((shippingInfo.deliveries as Delivery[] | undefined) ?? []).map((delivery) => ({ ...delivery, parcels: delivery.parcels ?? [] }));
  const delivery = (field: string, id: string) => {
    const found = deliveries.find((candidate) => candidate.id === id);
    if (!found) throw invalid(field, id, `The order has no delivery with id '${id}'.`);
    return found;
  };
  const parcel = (field: string, id: string) => {
    for (const candidate of deliveries) {
      const found = candidate.parcels.find((p) => p.id === id);
      if (found) return { delivery: candidate, parcel: found };
    }
    throw invalid(field, id, `The order has no parcel with id '${id}'.`);
  };

  for (const draft of fields.addDeliveries ?? []) {
    deliveries.push(compact({ id: randomUUID(), createdAt: now, items: draft.items, parcels: draft.parcels.map((p) => newParcel(p, now)), address: draft.address }));
  }
  if (fields.addParcelToDelivery) {
    const { deliveryId, ...draft } = fields.addParcelToDelivery;
    delivery('addParcelToDelivery.deliveryId', deliveryId).parcels.push(newParcel(draft, now));
  }
  if (fields.setDeliveryAddress) {
    const target = delivery('setDeliveryAddress.deliveryId', fields.setDeliveryAddress.deliveryId);
    if (fields.setDeliveryAddress.address) target.address = fields.setDeliveryAddress.address;
    else delete target.address;
  }
  if (fields.setParcelMeasurements) {
    const found = parcel('setParcelMeasurements.parcelId', fields.setParcelMeasurements.parcelId).parcel;
    if (fields.setParcelMeasurements.measurements) found.measurements = fields.setParcelMeasurements.measurements;
    else delete found.measurements;
  }
  if (fields.setParcelTrackingData) {
    const found = parcel('setParcelTrackingData.parcelId', fields.setParcelTrackingData.parcelId).parcel;
    if (fields.setParcelTrackingData.trackingData) found.trackingData = fields.setParcelTrackingData.trackingData;
    else delete found.trackingData;
  }
  (fields.setParcelItems ?? []).forEach((change, index) => {
    parcel(`setParcelItems.${index}.parcelId`, change.parcelId).parcel.items = change.items ?? [];
  });
  if (fields.removeParcelFromDelivery) {
    const found = parcel('removeParcelFromDelivery.parcelId', fields.removeParcelFromDelivery.parcelId);
    found.delivery.parcels = found.delivery.parcels.filter((p) => p.id !== found.parcel.id);
  }
  let remaining = deliveries;
  if (fields.removeDelivery) {
    const removed = delivery('removeDelivery.id', fields.removeDelivery.id);
    remaining = deliveries.filter((candidate) => candidate !== removed);
  }
  order.shippingInfo = { ...shippingInfo, deliveries: remaining };
  return order;
}
