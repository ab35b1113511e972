// Hover and completion explain every field of the schema.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import schema from '../../schemas/imagerepository-v1.json';
import { FIELD_DOCS } from '../../server/src/docs/fields';

interface Node { properties?: Record<string, Node>; items?: Node; $ref?: string }

function fields(node: Node, prefix: string, out: string[]): string[] {
  const resolved = node.$ref ? (schema.definitions as Record<string, Node>)[node.$ref.replace('#/definitions/', '')] : node;
  for (const [key, child] of Object.entries(resolved.properties ?? {})) {
    if (key === 'status') continue;
    const path = prefix ? `${prefix}.${key}` : key;
    out.push(path);
    fields(child, path, out);
    const items = (child.$ref ? undefined : child.items);
    if (items) fields(items, `${path}[]`, out);
  }
  return out;
}

test('every field of schemas/imagerepository-v1.json has a hover doc', () => {
  const missing = fields(schema as Node, '', []).filter((path) => !FIELD_DOCS[path]);
  assert.deepEqual(missing, []);
});

test('every field of schemas/imageupdateautomation-v1.json has a hover doc', async () => {
  const { default: automation } = await import('../../schemas/imageupdateautomation-v1.json');
  const { AUTOMATION_FIELD_DOCS } = await import('../../server/src/docs/automationFields');
  const all: string[] = [];
  const walk = (node: Node, prefix: string) => {
    const resolved = node.$ref ? (automation.definitions as Record<string, Node>)[node.$ref.replace('#/definitions/', '')] : node;
    for (const [key, child] of Object.entries(resolved.properties ?? {})) {
      if (key === 'status') continue;
      const path = prefix ? `${prefix}.${key}` : key;
      all.push(path);
      walk(child, path);
      if (child.items) walk(child.items, `${path}[]`);
    }
  };
  walk(automation as Node, '');
  assert.ok(all.includes('spec.git.commit.author.email') && all.includes('spec.policySelector.matchExpressions[].operator'));
  assert.deepEqual(all.filter((path) => !AUTOMATION_FIELD_DOCS[path]), []);
});
