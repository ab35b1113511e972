// Where the cursor is in YAML terms, read from half-typed text (server/src/features/completionContext.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { completionContext } from '../../server/src/features/completionContext';

function at(fixture: string) {
  const lines = fixture.split('\n');
  const line = lines.findIndex((l) => l.includes('|'));
  const character = lines[line].indexOf('|');
  lines[line] = lines[line].replace('|', '');
  const context = completionContext(lines, line, character);
  return context && { ...context, siblings: [...context.siblings].sort() };
}

describe('completion context', () => {
  test('finds the parent keys of a key being typed, and its siblings', () => {
    assert.deepEqual(at('spec:\n  image: x\n  sec|\n  interval: 5m'), {
      path: ['spec'], kind: 'key', key: undefined, prefix: 'sec', prefixStart: 2, indent: 2, siblings: ['image', 'interval'],
    });
  });

  test('finds the key of a value being typed', () => {
    const context = at('spec:\n  secretRef:\n    name: reg|');
    assert.deepEqual([context?.path, context?.kind, context?.key, context?.prefix], [['spec', 'secretRef'], 'value', 'name', 'reg']);
  });

  test('keeps the prefix of a quoted value without its quote', () => {
    assert.deepEqual(at('spec:\n  provider: "aw|')?.prefix, 'aw');
  });

  test('follows sequence items', () => {
    const fixture = 'spec:\n  accessFrom:\n    namespaceSelectors:\n      - matchLabels:\n          team: a\n        |';
    assert.deepEqual(at(fixture)?.path, ['spec', 'accessFrom', 'namespaceSelectors', '[]']);
    assert.deepEqual(at('spec:\n  accessFrom:\n    namespaceSelectors:\n      - |')?.path, ['spec', 'accessFrom', 'namespaceSelectors', '[]']);
    assert.deepEqual(at('spec:\n  accessFrom:\n    namespaceSelectors:\n      - matchLabels:\n          |')?.path,
      ['spec', 'accessFrom', 'namespaceSelectors', '[]', 'matchLabels']);
  });

  test('skips comments and blank lines, and stops at the document start', () => {
    assert.deepEqual(at('other: 1\n---\nspec:\n\n  # comment\n  |')?.path, ['spec']);
  });

  test('gives up on a line past the end', () => {
    assert.equal(completionContext(['a: 1'], 3, 0), undefined);
  });
});
