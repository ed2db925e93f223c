import { productDraftApplier } from '../../libs/processing/src/appliers/products/product-draft.applier';
import { ProcessorService } from '../../libs/processing/src';
import { productDraft } from '../support/fixtures';
import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

/** A claimed batch settles in one transaction; these check it ends exactly as one-by-one processing would. */
describe('batch settling', () => {
  let t: TestApp;
  const project = 'test';
  const container = 'batch';
  let processor: ProcessorService;

  const post = async (path: string, type: string, resources: unknown[]) => {
    const ids: string[] = [];
    for (let i = 0; i < resources.length; i += 20) {
      const res = await t.http.post(`/${project}/${path}/import-containers/${container}`).set(t.auth).send({ type, resources: resources.slice(i, i + 20) });
      expect({ status: res.status, body: res.status === 201 ? undefined : res.body }).toEqual({ status: 201, body: undefined });
      ids.push(...res.body.operationStatus.map((status: { operationId: string }) => status.operationId));
    }
    return ids;
  };
  const states = async (ids: string[]) =>
    ((await t.dataSource.query(`SELECT id, state, errors FROM import_operations WHERE id = ANY($1::uuid[])`, [ids])) as Array<{ id: string; state: string; errors: Array<{ code: string; field?: string }> | null }>).reduce(
      (map, row) => map.set(row.id, row),
      new Map<string, { state: string; errors: Array<{ code: string; field?: string }> | null }>(),
    );

  beforeAll(async () => {
    t = await createTestApp({ PROCESSOR_BATCH_SIZE: '500' });
    processor = new ProcessorService(t.dataSource, t.config);
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: container }).expect(201);
    await post('product-types', 'product-type', [
      {
        key: 'default-type',
        name: 'Default',
        description: 'd',
        attributes: [
          { type: { name: 'text' }, name: 'color', label: { en: 'Color' }, isRequired: false, isSearchable: true },
          { type: { name: 'number' }, name: 'size', label: { en: 'Size' }, isRequired: false, isSearchable: true },
        ],
      },
    ]);
    await post('categories', 'category', [{ key: 'root', name: { en: 'Root' }, slug: { en: 'root' } }]);
    await drain(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('one invalid operation among 499 valid ones fails alone, in one batch', async () => {
    const resources = Array.from({ length: 500 }, (_, i) => productDraft(`b1-${i}`));
    const bad = resources[250] as { masterVariant: { attributes: Array<{ name: string; type: string; value: unknown }> } };
    bad.masterVariant.attributes = [{ name: 'size', type: 'text', value: 'big' }];
    const ids = await post('product-drafts', 'product-draft', resources);
    const run = await processor.runOnce();
    expect(run).toMatchObject({ claimed: 500, imported: 499 });
    const settled = await states(ids);
    expect([...settled.values()].filter((row) => row.state === 'imported')).toHaveLength(499);
    expect(settled.get(ids[250])).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'masterVariant.attributes.size' }] });
    const [{ count }] = (await t.dataSource.query(`SELECT count(*)::int AS count FROM products WHERE key LIKE 'b1-%'`)) as Array<{ count: number }>;
    expect(count).toBe(499);
  });

  it('products of one batch competing for a slug or a SKU end as one by one in accept order', async () => {
    // b1-0 gives up its slug in the same batch in which b2-taker claims it; two newcomers want one SKU.
    const moved = { ...productDraft('b1-0'), slug: { en: 'b1-0-moved', de: 'b1-0-moved-de' } };
    const taker = { ...productDraft('b2-taker'), slug: { en: 'product-b1-0', de: 'taker-de' } };
    const first = productDraft('b2-first');
    const second = { ...productDraft('b2-second'), masterVariant: { ...(productDraft('x') as { masterVariant: object }).masterVariant, sku: 'sku-b2-first', key: 'variant-b2-second' } };
    const ids = await post('product-drafts', 'product-draft', [moved, taker, first, second]);
    expect((await processor.runOnce()).claimed).toBe(4);
    const settled = await states(ids);
    expect(ids.slice(0, 3).map((id) => settled.get(id)!.state)).toEqual(['imported', 'imported', 'imported']);
    expect(settled.get(ids[3])).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', field: 'sku' }] });
    const slugOwner = (await t.dataSource.query(`SELECT p.key FROM product_slugs s JOIN products p ON p.id = s.product_id WHERE s.slug = 'product-b1-0'`)) as Array<{ key: string }>;
    expect(slugOwner).toEqual([{ key: 'b2-taker' }]);
  });

  it('resources depending on each other inside one batch all end imported (a category and its parent, a product and its product type)', async () => {
    const ids = [
      ...(await post('product-types', 'product-type', [{ key: 'late-type', name: 'Late', description: 'd', attributes: [] }])),
      ...(await post('product-drafts', 'product-draft', [{ ...productDraft('b3-product'), productType: { typeId: 'product-type', key: 'late-type' }, masterVariant: { sku: 'b3-sku', key: 'b3-variant' } }])),
      ...(await post('categories', 'category', [{ key: 'b3-parent', name: { en: 'P' }, slug: { en: 'b3-parent' } }])),
      ...(await post('categories', 'category', [
        { key: 'b3-child', name: { en: 'C' }, slug: { en: 'b3-child' }, parent: { typeId: 'category', key: 'b3-parent' } },
        { key: 'b3-grandchild', name: { en: 'G' }, slug: { en: 'b3-grandchild' }, parent: { typeId: 'category', key: 'b3-child' } },
      ])),
      // Accepted before its parent: it waits, as it would one by one (and is woken once the batch commits).
      ...(await post('categories', 'category', [{ key: 'b3-orphan', name: { en: 'O' }, slug: { en: 'b3-orphan' }, parent: { typeId: 'category', key: 'b3-later' } }])),
      ...(await post('categories', 'category', [{ key: 'b3-later', name: { en: 'L' }, slug: { en: 'b3-later' } }])),
    ];
    // One batch: what an earlier operation of the batch creates resolves inside it, without a wait and a wake-up.
    const { claimed } = await processor.runOnce();
    expect(claimed).toBe(ids.length);
    const first = await states(ids);
    expect(ids.map((id) => first.get(id)!.state)).toEqual(['imported', 'imported', 'imported', 'imported', 'imported', 'processing', 'imported']);
    await drain(t);
    const final = await states(ids);
    expect(ids.map((id) => final.get(id)!.state)).toEqual(['imported', 'imported', 'imported', 'imported', 'imported', 'imported', 'imported']);
    const child = (await t.http.get(`/${project}/categories/key=b3-child`).set(t.auth).expect(200)).body;
    const parent = (await t.http.get(`/${project}/categories/key=b3-parent`).set(t.auth).expect(200)).body;
    expect(child.parent).toEqual({ typeId: 'category', id: parent.id });
  });

  it('a batch split into concurrent parts keeps what depends on each other in one part: nothing waits for a part not yet committed', async () => {
    // 300 operations: settled in 4 parts (PROCESSOR_CONCURRENCY) — but a product type, its category and the 150
    // products that use them must stay together, or the products would find them missing in their own part.
    const ids = [
      ...(await post('product-types', 'product-type', [
        {
          key: 'split-type',
          name: 'Split',
          description: 'd',
          attributes: [
            { type: { name: 'text' }, name: 'color', label: { en: 'Color' }, isRequired: false, isSearchable: true },
            { type: { name: 'number' }, name: 'size', label: { en: 'Size' }, isRequired: false, isSearchable: true },
          ],
        },
      ])),
      ...(await post('categories', 'category', [{ key: 'split-cat', name: { en: 'S' }, slug: { en: 'split-cat' } }])),
      ...(await post(
        'product-drafts',
        'product-draft',
        Array.from({ length: 150 }, (_, i) => ({
          ...productDraft(`split-dep-${i}`),
          productType: { typeId: 'product-type', key: 'split-type' },
          categories: [{ typeId: 'category', key: 'split-cat' }],
        })),
      )),
      ...(await post('product-drafts', 'product-draft', Array.from({ length: 148 }, (_, i) => productDraft(`split-free-${i}`)))),
    ];
    const run = await processor.runOnce();
    const settled = await states(ids);
    expect([...settled.values()].filter((row) => row.state !== 'imported').slice(0, 3)).toEqual([]);
    expect(run).toMatchObject({ claimed: 300, imported: 300 });
    const waits = (await t.dataSource.query(`SELECT count(*)::int AS n FROM import_operation_waits WHERE operation_id = ANY($1::uuid[])`, [ids])) as Array<{ n: number }>;
    expect(waits[0].n).toBe(0);
  });

  it('a woken operation keeps its place in the queue: it is claimed before operations accepted after it', async () => {
    const [child] = await post('categories', 'category', [{ key: 'q-child', name: { en: 'C' }, slug: { en: 'q-child' }, parent: { typeId: 'category', key: 'q-parent' } }]);
    await processor.runOnce();
    expect((await states([child])).get(child)!.state).toBe('unresolved');
    const [parent] = await post('categories', 'category', [{ key: 'q-parent', name: { en: 'P' }, slug: { en: 'q-parent' } }]);
    const [later] = await post('product-types', 'product-type', [{ key: 'q-later', name: 'Later', description: 'd', attributes: [] }]);
    // The parent is imported and wakes the child, after `later` was accepted.
    await processor.runOnce(1);
    expect((await states([parent])).get(parent)!.state).toBe('imported');
    expect((await states([child])).get(child)!.state).toBe('processing');
    await processor.runOnce(1);
    const now = await states([child, later]);
    expect([now.get(child)!.state, now.get(later)!.state]).toEqual(['imported', 'processing']);
    await drain(t);
  });

  it('an operation woken in a paused container stays parked until the container is resumed', async () => {
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'parked' }).expect(201);
    const res = await t.http
      .post(`/${project}/categories/import-containers/parked`)
      .set(t.auth)
      .send({ type: 'category', resources: [{ key: 'p-child', name: { en: 'C' }, slug: { en: 'p-child' }, parent: { typeId: 'category', key: 'p-parent' } }] });
    const child = res.body.operationStatus[0].operationId as string;
    await processor.runOnce();
    expect((await states([child])).get(child)!.state).toBe('unresolved');
    await t.http.post(`/${project}/import-containers/parked/tasks`).set(t.auth).send({ task: 'pause' }).expect(200);
    await post('categories', 'category', [{ key: 'p-parent', name: { en: 'P' }, slug: { en: 'p-parent' } }]);
    await drain(t);
    const [row] = (await t.dataSource.query(`SELECT state, run_at = 'infinity' AS parked FROM import_operations WHERE id = $1`, [child])) as Array<{ state: string; parked: boolean }>;
    expect(row).toEqual({ state: 'processing', parked: true });
    await t.http.post(`/${project}/import-containers/parked/tasks`).set(t.auth).send({ task: 'resume' }).expect(200);
    await drain(t);
    expect((await states([child])).get(child)!.state).toBe('imported');
  });

  it('a set-wise run that throws is redone operation by operation; nothing is lost or applied twice', async () => {
    const spy = jest.spyOn(productDraftApplier, 'applyMany').mockRejectedValueOnce(new Error('unexpected failure in the set-wise write'));
    try {
      const ids = await post('product-drafts', 'product-draft', Array.from({ length: 60 }, (_, i) => productDraft(`b4-${i}`)));
      const run = await processor.runOnce();
      expect(run).toMatchObject({ claimed: 60, imported: 60 });
      expect(spy).toHaveBeenCalled();
      expect([...(await states(ids)).values()].every((row) => row.state === 'imported')).toBe(true);
      const versions = (await t.dataSource.query(`SELECT DISTINCT version FROM products WHERE key LIKE 'b4-%'`)) as Array<{ version: number }>;
      expect(versions).toEqual([{ version: 1 }]);
    } finally {
      spy.mockRestore();
    }
  });

  it('an unchanged re-import keeps the version; a changed one bumps it once, set-wise', async () => {
    const again = Array.from({ length: 10 }, (_, i) => productDraft(`b4-${i}`));
    (again[3] as { description: Record<string, string> }).description = { en: 'changed' };
    const ids = await post('product-drafts', 'product-draft', again);
    await processor.runOnce();
    const versions = (await t.dataSource.query(`SELECT o.id, o.resource_version FROM import_operations o WHERE o.id = ANY($1::uuid[])`, [ids])) as Array<{ id: string; resource_version: number }>;
    const byId = new Map(versions.map((row) => [row.id, row.resource_version]));
    expect(ids.map((id) => byId.get(id))).toEqual([1, 1, 1, 2, 1, 1, 1, 1, 1, 1]);
  });
});
