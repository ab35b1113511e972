// Field docs for ImageUpdateAutomation, read from the descriptions of schemas/imageupdateautomation-v1.json (written
// from image-automation-controller's CRD), so hover and completion explain every field the schema has.
import schema from '../../../schemas/imageupdateautomation-v1.json';
import type { FieldDoc } from './fields';
import { fieldDocKey } from './fields';

interface SchemaNode { description?: string; properties?: Record<string, SchemaNode>; items?: SchemaNode; $ref?: string }

function resolve(node: SchemaNode): SchemaNode {
  return node.$ref ? { ...(schema.definitions as Record<string, SchemaNode>)[node.$ref.replace('#/definitions/', '')], description: node.description } : node;
}

function collect(node: SchemaNode, prefix: string, out: Record<string, FieldDoc>): Record<string, FieldDoc> {
  for (const [key, raw] of Object.entries(resolve(node).properties ?? {})) {
    if (key === 'status') continue;
    const child = resolve(raw);
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.description) out[path] = { summary: child.description };
    collect(child, path, out);
    if (child.items) collect(child.items, `${path}[]`, out);
  }
  return out;
}

export const AUTOMATION_FIELD_DOCS: Record<string, FieldDoc> = collect(schema as SchemaNode, '', {});

export function automationFieldDocMarkdown(path: (string | number)[]): string | undefined {
  const key = fieldDocKey(path);
  const doc = AUTOMATION_FIELD_DOCS[key];
  return doc ? `**${key}** — ${doc.summary}` : undefined;
}
