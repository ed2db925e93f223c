import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import yaml from 'js-yaml';

/**
 * Where the official commercetools reference lives: BERTH_REFERENCE_DIR, or `shared/reference` next to
 * this repository, or next to the repository it was cloned from.
 */
export function findReferenceDir(): string | undefined {
  const root = path.resolve(__dirname, '..', '..');
  const candidates = [process.env.BERTH_REFERENCE_DIR, path.join(root, '..', 'shared', 'reference')];
  try {
    const origin = execFileSync('git', ['remote', 'get-url', 'origin'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    if (origin && !/^[a-z]+:\/\//.test(origin)) candidates.push(path.join(path.resolve(root, origin), '..', 'shared', 'reference'));
  } catch {
    // not a clone
  }
  candidates.push('/work/shared/reference');
  return candidates.find((dir) => dir && fs.existsSync(path.join(dir, 'import-api.openapi.yaml')));
}

type Schema = Record<string, unknown>;

/** Compiles `components.schemas` of the OpenAPI file (as the black-box suite does) for response validation. */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(referenceDir: string) {
    const document = yaml.load(fs.readFileSync(path.join(referenceDir, 'import-api.openapi.yaml'), 'utf8')) as { components: { schemas: Record<string, Schema> } };
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    this.ajv.addSchema({ $id: 'openapi', components: document.components }, 'openapi');
  }

  validate(schemaName: string, body: unknown): string[] {
    let validate = this.compiled.get(schemaName);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi#/components/schemas/${schemaName}` });
      this.compiled.set(schemaName, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `${schemaName}${error.instancePath} ${error.message ?? ''}`);
  }
}
