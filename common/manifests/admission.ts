// The CRD's structural schema, checked as the API server would at admission: an ImageRepository or ImagePolicy
// that fails it never reaches the controller, so only admissible objects enter the workspace index the
// reconciler consumes.
import Ajv, { type ErrorObject } from 'ajv';
import schema from '../../schemas/imagerepository-v1.json';
import policySchema from '../../schemas/imagepolicy-v1.json';

let validate: ReturnType<Ajv['compile']> | undefined;
let validatePolicy: ReturnType<Ajv['compile']> | undefined;

function ajv(): Ajv {
  // strict: false because draft-07 ignores siblings of $ref, and our $ref siblings are only descriptions; it
  // also lets the CRD's `x-kubernetes-validations` stay in the schema as documentation (checked below).
  return new Ajv({ allErrors: true, strict: false, verbose: true });
}

export type SchemaError = ErrorObject;

export function checkImageRepositorySchema(value: unknown): SchemaError[] {
  validate ??= ajv().compile(schema);
  return validate(value) ? [] : [...(validate.errors ?? [])];
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
  validatePolicy ??= ajv().compile(policySchema);
  const errors = validatePolicy(value) ? [] : [...(validatePolicy.errors ?? [])];
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
