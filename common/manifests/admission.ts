// The CRD's structural schema, checked as the API server would at admission: an ImageRepository, ImagePolicy or
// ImageUpdateAutomation that fails it never reaches the controller, so only admissible objects enter the workspace
// index the reconciler consumes. Each kind is checked against the schema of
// their own served version (image-reflector-controller and image-automation-controller `config/crd/bases`, per
// release), and so is ImagePolicy.
import Ajv, { type ErrorObject } from 'ajv';
import imageRepositorySchema from '../../schemas/imagerepository-v1.json';
import automationSchema from '../../schemas/imageupdateautomation-v1.json';
import policySchema from '../../schemas/imagepolicy-v1.json';
import { IMAGE_GROUP } from '../flux/apiVersionVerdict';

type Check = ReturnType<Ajv['compile']>;
type JsonSchema = Record<string, unknown> & { properties: Record<string, Record<string, unknown>> };

export type SchemaError = ErrorObject;

// strict: false because draft-07 ignores siblings of $ref, and our $ref siblings are only descriptions; it also
// lets the CRD's `x-kubernetes-validations` stay in the schema as documentation (checked below).
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const compiled = new Map<string, Check>();

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function forVersion(base: unknown, apiVersion: string, edit?: (schema: JsonSchema) => void): JsonSchema {
  const schema = clone(base) as JsonSchema;
  delete schema.$id;
  schema.properties.apiVersion = { ...schema.properties.apiVersion, enum: [apiVersion] };
  edit?.(schema);
  return schema;
}

function spec(schema: JsonSchema): JsonSchema {
  return schema.properties.spec as JsonSchema;
}

/**
 * Schemas of the versions some Flux release served. ImageRepository v1beta2 (image-reflector-controller v0.x and
 * v1.0–v1.1) is identical to v1; v1beta1 (v0.x) has no provider, insecure or proxySecretRef and no limit on
 * exclusionList. ImagePolicy v1beta2 is v1; v1beta1 (v0.x) has no interval, digestReflectionPolicy or suspend.
 * ImageUpdateAutomation v1beta2 is v1 without the commit signing key's `type`; v1beta1 also has no
 * policySelector or messageTemplateValues. (Defaults such as `update.strategy: Setters` apply before admission.)
 */
const VARIANTS: Record<string, () => JsonSchema> = {
  'ImageRepository/v1': () => imageRepositorySchema as unknown as JsonSchema,
  'ImageRepository/v1beta2': () => forVersion(imageRepositorySchema, `${IMAGE_GROUP}/v1beta2`),
  'ImageRepository/v1beta1': () => forVersion(imageRepositorySchema, `${IMAGE_GROUP}/v1beta1`, (s) => {
    for (const field of ['provider', 'insecure', 'proxySecretRef']) delete spec(s).properties[field];
    delete spec(s).properties.exclusionList.maxItems;
  }),
  'ImagePolicy/v1': () => policySchema as unknown as JsonSchema,
  'ImagePolicy/v1beta2': () => forVersion(policySchema, `${IMAGE_GROUP}/v1beta2`),
  'ImagePolicy/v1beta1': () => forVersion(policySchema, `${IMAGE_GROUP}/v1beta1`, (s) => {
    for (const field of ['interval', 'digestReflectionPolicy', 'suspend']) delete spec(s).properties[field];
  }),
  'ImageUpdateAutomation/v1': () => automationSchema as unknown as JsonSchema,
  'ImageUpdateAutomation/v1beta2': () => forVersion(automationSchema, `${IMAGE_GROUP}/v1beta2`, betaAutomation),
  'ImageUpdateAutomation/v1beta1': () => forVersion(automationSchema, `${IMAGE_GROUP}/v1beta1`, (s) => {
    betaAutomation(s);
    delete spec(s).properties.policySelector;
    const commit = (spec(s).properties.git as JsonSchema).properties.commit as JsonSchema;
    delete commit.properties.messageTemplateValues;
  }),
};

function betaAutomation(s: JsonSchema): void {
  const git = spec(s).properties.git as JsonSchema;
  const signingKey = ((git.properties.commit as JsonSchema).properties.signingKey as JsonSchema);
  delete signingKey.properties.type;
}

function validator(kind: string, version: string): Check {
  const known = VARIANTS[`${kind}/${version}`] ? `${kind}/${version}` : `${kind}/v1`;
  let check = compiled.get(known);
  if (!check) {
    check = ajv.compile(VARIANTS[known]());
    compiled.set(known, check);
  }
  return check;
}

function versionOf(value: unknown): string {
  const apiVersion = (value as { apiVersion?: unknown } | null)?.apiVersion;
  return typeof apiVersion === 'string' && apiVersion.startsWith(IMAGE_GROUP + '/') ? apiVersion.slice(IMAGE_GROUP.length + 1) : 'v1';
}

/** Errors against the schema of the document's own version (v1's for a version no release served). */
export function checkImageRepositorySchema(value: unknown): SchemaError[] {
  const check = validator('ImageRepository', versionOf(value));
  return check(value) ? [] : [...(check.errors ?? [])];
}

/** CEL has(): the API server drops null fields, so `interval:` with no value is absent. */
function has(spec: Record<string, unknown>, field: string): boolean {
  return spec[field] !== undefined && spec[field] !== null;
}

/** The CRD's CEL rules on ImagePolicy `spec` (x-kubernetes-validations), with the CRD's messages. */
const POLICY_CEL_RULES: { holds(spec: Record<string, unknown>): boolean; message: string }[] =
  policySchema.properties.spec['x-kubernetes-validations'].map((rule, i) => ({
    message: rule.message,
    holds: i === 0
      ? (spec) => !has(spec, 'interval') || spec.digestReflectionPolicy === 'Always'
      : (spec) => has(spec, 'interval') || !has(spec, 'digestReflectionPolicy') || spec.digestReflectionPolicy !== 'Always',
  }));

/** schemas/imagepolicy-v1.json, then (on a structurally valid spec) the CEL rules as `x-kubernetes-validations` errors. */
export function checkImagePolicySchema(value: unknown): SchemaError[] {
  const check = validator('ImagePolicy', versionOf(value));
  const errors = check(value) ? [] : [...(check.errors ?? [])];
  const spec = (value as { spec?: unknown } | undefined)?.spec;
  if (spec && typeof spec === 'object' && !Array.isArray(spec) && !errors.some((e) => ['/spec', '/spec/interval', '/spec/digestReflectionPolicy'].includes(e.instancePath))) {
    for (const rule of POLICY_CEL_RULES) {
      if (rule.holds(spec as Record<string, unknown>)) continue;
      errors.push({
        instancePath: '/spec', schemaPath: '#/properties/spec/x-kubernetes-validations', keyword: 'x-kubernetes-validations',
        params: {}, message: rule.message,
      });
    }
  }
  return errors;
}

/** The same for ImageUpdateAutomation. */
export function checkImageUpdateAutomationSchema(value: unknown): SchemaError[] {
  const check = validator('ImageUpdateAutomation', versionOf(value));
  return check(value) ? [] : [...(check.errors ?? [])];
}

/**
 * Why the API server would not hold this object, in `tagline scan`'s words: `spec.interval is missing`,
 * `spec.interval: "5 m" does not match the CRD's pattern`. Undefined when it would.
 */
export function admissionReason(errors: readonly SchemaError[]): string | undefined {
  const error = errors.find((e) => e.instancePath !== '/apiVersion') ?? errors[0];
  if (!error) return undefined;
  const path = error.instancePath.slice(1).split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? `[${s}]` : s)).join('.').replace(/\.\[/g, '[');
  switch (error.keyword) {
    case 'required':
      return `${path ? `${path}.` : ''}${String(error.params.missingProperty)} is missing`;
    case 'additionalProperties':
      return `${path ? `${path}.` : ''}${String(error.params.additionalProperty)} is not a field of this version`;
    case 'pattern':
      return `${path}: ${JSON.stringify(error.data)} does not match the CRD's pattern`;
    case 'enum':
      return `${path}: ${JSON.stringify(error.data)} is not one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
    default:
      return `${path || 'the object'} ${error.message ?? 'is invalid'}`;
  }
}
