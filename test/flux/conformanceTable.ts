// What both conformance runs (ImageRepositories, ImagePolicies) share: comparing the flattened fields of the
// controller's and Tagline's status, and holding the differences against the table in docs/flux-conformance.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** metav1.Time as the apiserver writes it: RFC 3339, seconds. */
export const RFC3339_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

export interface Difference { scenario: string; field: string; flux: string; tagline: string }

/** An event as compared: `type reason: message`. */
export const eventLine = (type: string, reason: string, message: string) => `${type} ${reason}: ${message}`;

/** A `field → value` map builder: values JSON-encoded, undefined as `(absent)`. */
export function fieldMap(): { out: Map<string, string>; put(key: string, value: unknown): void } {
  const out = new Map<string, string>();
  return { out, put: (key, value) => out.set(key, value === undefined ? '(absent)' : JSON.stringify(value)) };
}

/** The fields where the two maps differ, each with both values. */
export function differences(scenario: string, flux: Map<string, string>, tagline: Map<string, string>): Difference[] {
  const keys = [...new Set([...flux.keys(), ...tagline.keys()])];
  return keys
    .filter((key) => (flux.get(key) ?? '(absent)') !== (tagline.get(key) ?? '(absent)'))
    .map((field) => ({ scenario, field, flux: flux.get(field) ?? '(absent)', tagline: tagline.get(field) ?? '(absent)' }));
}

/** Rows `| scenario | field | reason |` of the table in docs/flux-conformance.md, keyed `scenario field`. */
function listedDifferences(): Map<string, string> {
  const text = readFileSync(resolve(__dirname, '../../docs/flux-conformance.md'), 'utf8');
  const listed = new Map<string, string>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 5 || !cells[1]!.startsWith('`')) continue;
    listed.set(`${cells[1]!.replace(/`/g, '')} ${cells[2]!.replace(/`/g, '')}`, cells[3]!);
  }
  return listed;
}

/**
 * Prints every difference and how many are listed, then requires each to be a row of docs/flux-conformance.md and
 * each row about these scenarios (`scenario` or `scenario/step`) to still occur.
 */
export function assertAllListed(found: Difference[], scenarios: readonly string[], label: string): void {
  const names = new Set(scenarios);
  const listed = new Map([...listedDifferences()].filter(([key]) => names.has(key.split(' ')[0]!.split('/')[0]!)));
  const unlisted = found.filter((d) => !listed.has(`${d.scenario} ${d.field}`));
  const occurring = new Set(found.map((d) => `${d.scenario} ${d.field}`));
  const stale = [...listed.keys()].filter((key) => !occurring.has(key));
  for (const d of found) {
    process.stderr.write(`difference ${listed.has(`${d.scenario} ${d.field}`) ? '(listed)  ' : '(UNLISTED)'} ${d.scenario} ${d.field}\n    flux:    ${d.flux}\n    tagline: ${d.tagline}\n`);
  }
  process.stderr.write(`flux conformance (${label}): ${scenarios.length} scenarios, ${found.length - unlisted.length} listed differences (docs/flux-conformance.md), ${unlisted.length} unlisted\n`);
  assert.deepEqual(unlisted.map((d) => `${d.scenario} ${d.field}: flux ${d.flux} / tagline ${d.tagline}`), [], 'differences not listed in docs/flux-conformance.md');
  assert.deepEqual(stale, [], 'rows of docs/flux-conformance.md that no longer differ');
}
