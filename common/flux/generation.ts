// Kubernetes bumps metadata.generation on every spec change; files have no such counter, so a stable hash of
// the spec stands in for "did the spec change" (the reconciler turns changes into a counter of its own).
import { createHash } from 'node:crypto';
import type { ImageRepositorySpec } from '../model';

export function specHash(spec: ImageRepositorySpec | Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, so key order in the YAML does not count as a change. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
