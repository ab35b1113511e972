// The CRD's structural schema, checked as the API server would at admission: an ImageRepository that fails it
// never reaches the controller, so only admissible objects enter the workspace index the reconciler consumes.
import Ajv, { type ErrorObject } from 'ajv';
import schema from '../../schemas/imagerepository-v1.json';

let validate: ReturnType<Ajv['compile']> | undefined;

function validator(): ReturnType<Ajv['compile']> {
  // strict: false because draft-07 ignores siblings of $ref, and our $ref siblings are only descriptions.
  validate ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  return validate;
}

export type SchemaError = ErrorObject;

export function checkImageRepositorySchema(value: unknown): SchemaError[] {
  const check = validator();
  return check(value) ? [] : [...(check.errors ?? [])];
}
