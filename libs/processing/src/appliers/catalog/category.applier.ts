import { randomUUID } from 'node:crypto';
import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference, collectKeyReferences, uniqueReferences } from '../../../../catalog/src/references';
import { ImportCustom, toCustomFields, validateCustomFields } from '../../../../catalog/src/custom-fields';
import { DocumentRow, findById, findByKey, upsertDocument } from '../../../../catalog/src/documents';
import { compact, sameData } from '../../../../catalog/src/products/product-model';
import { CATEGORIES_TABLE, CategoryReference, replaceSlugs, slugClash, updateDescendantAncestors } from '../../../../catalog/src/categories/category-tree';

type LocalizedString = Record<string, string>;

interface AssetImport {
  key: string;
  name: LocalizedString;
  sources: unknown[];
  description?: LocalizedString;
  tags?: string[];
  custom?: ImportCustom;
}

export interface CategoryImport {
  key: string;
  name: LocalizedString;
  slug: LocalizedString;
  description?: LocalizedString;
  parent?: KeyReference;
  orderHint?: string;
  externalId?: string;
  metaTitle?: LocalizedString;
  metaDescription?: LocalizedString;
  metaKeywords?: LocalizedString;
  assets?: AssetImport[];
  custom?: ImportCustom;
}

interface StoredCategory {
  ancestors?: CategoryReference[];
  orderHint?: string;
  assets?: Array<{ id: string; key?: string }>;
}

/** commercetools gives every category an orderHint; one generated on creation is kept until an import sets one. */
const generatedOrderHint = () => `0.${String(Date.now()).padStart(16, '0')}`;

async function validateCustom(resource: CategoryImport, context: ApplyContext): Promise<ErrorObject[]> {
  const errors = await validateCustomFields(context.manager, context.projectKey, 'category', resource.custom);
  for (const [index, asset] of (resource.assets ?? []).entries()) {
    errors.push(...(await validateCustomFields(context.manager, context.projectKey, 'asset', asset.custom, `assets.${index}.custom`)));
  }
  return errors;
}

/** The parent's ancestors plus the parent, or an error when the parent would make the tree a cycle. */
async function ancestorsUnder(context: ApplyContext, parentId: string | undefined, self: DocumentRow | undefined): Promise<CategoryReference[] | ErrorObject> {
  if (!parentId) return [];
  const parent = await findById(context.manager, CATEGORIES_TABLE, context.projectKey, parentId);
  if (!parent) throw new Error(`category ${parentId} vanished while being referenced`);
  const ancestors = [...((parent.data as StoredCategory).ancestors ?? []), { typeId: 'category' as const, id: parentId }];
  if (self && ancestors.some((ancestor) => ancestor.id === self.id)) {
    return { code: 'InvalidField', message: `A category cannot be its own ancestor (parent '${parent.key}').`, field: 'parent', invalidValue: { typeId: 'category', key: parent.key } };
  }
  return ancestors;
}

/** CategoryImport → Category: parent by key, ancestors from the root down, slugs unique per locale in the project. */
export const categoryApplier: Applier<CategoryImport> = {
  resourceType: 'category',
  references: (resource) => uniqueReferences(collectKeyReferences(resource)),
  async apply(resource: CategoryImport, context: ApplyContext): Promise<ApplyResult> {
    const customErrors = await validateCustom(resource, context);
    if (customErrors.length > 0) return { state: 'validationFailed', errors: customErrors };

    const existing = await findByKey(context.manager, CATEGORIES_TABLE, context.projectKey, resource.key, true);
    const parentId = resource.parent ? context.resolved.get(`category:${resource.parent.key}`) : undefined;
    const ancestors = await ancestorsUnder(context, parentId, existing);
    if (!Array.isArray(ancestors)) return { state: 'validationFailed', errors: [ancestors] };

    const clash = await slugClash(context.manager, context.projectKey, resource.slug, existing?.id);
    if (clash) {
      return {
        state: 'rejected',
        errors: [
          {
            code: 'DuplicateField',
            message: `A duplicate value '"${clash.slug}"' exists for field 'slug' in locale '${clash.locale}' (category '${clash.categoryKey}').`,
            field: 'slug',
            duplicateValue: clash.slug,
            locale: clash.locale,
          },
        ],
      };
    }

    const previous = existing?.data as StoredCategory | undefined;
    const data = compact({
      name: resource.name,
      slug: resource.slug,
      description: resource.description,
      ancestors,
      parent: parentId ? { typeId: 'category', id: parentId } : undefined,
      orderHint: resource.orderHint ?? previous?.orderHint ?? generatedOrderHint(),
      externalId: resource.externalId,
      metaTitle: resource.metaTitle,
      metaDescription: resource.metaDescription,
      metaKeywords: resource.metaKeywords,
      assets: (resource.assets ?? []).map((asset) => ({
        ...asset,
        id: previous?.assets?.find((candidate) => candidate.key === asset.key)?.id ?? randomUUID(),
        custom: toCustomFields(asset.custom, context.resolved),
      })),
      custom: toCustomFields(resource.custom, context.resolved),
    });
    const result = await upsertDocument(context.manager, CATEGORIES_TABLE, context.projectKey, resource.key, data, { parent_id: parentId ?? null });
    if (result.changed) await replaceSlugs(context.manager, context.projectKey, result.id, resource.slug);
    if (existing && !sameData(previous?.ancestors ?? [], ancestors)) {
      await updateDescendantAncestors(context.manager, context.projectKey, result.id, ancestors);
    }
    if (result.created) context.created('category', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },
};
