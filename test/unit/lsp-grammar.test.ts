// The TextMate injection grammar: it must be the one package.json contributes, and its rules must match only
// what is ours (checked with JavaScript regexes, which agree with Oniguruma on these simple patterns).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';

const ROOT = resolve(__dirname, '../..');
const grammar = JSON.parse(readFileSync(resolve(ROOT, 'syntaxes/flux-yaml.injection.tmLanguage.json'), 'utf8')) as {
  scopeName: string; injectionSelector: string; repository: Record<string, { match: string; captures: Record<string, { name: string }> }>;
};
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { contributes: { grammars: { path: string; scopeName: string; injectTo: string[] }[] } };

function scopes(rule: string, line: string): Record<string, string> | undefined {
  const { match, captures } = grammar.repository[rule];
  const m = new RegExp(match).exec(line);
  if (!m) return undefined;
  return Object.fromEntries(Object.entries(captures).filter(([i]) => m[Number(i)]).map(([i, c]) => [m[Number(i)], c.name]));
}

describe('flux-yaml injection grammar', () => {
  test('is contributed as an injection into YAML under its scope name', () => {
    const entry = pkg.contributes.grammars.find((g) => g.path === './syntaxes/flux-yaml.injection.tmLanguage.json');
    assert.deepEqual(entry, { path: './syntaxes/flux-yaml.injection.tmLanguage.json', scopeName: grammar.scopeName, injectTo: ['source.yaml'] });
    assert.equal(grammar.injectionSelector, 'L:source.yaml -comment -string');
  });

  test('highlights Go durations on interval and timeout, quoted or not', () => {
    assert.equal(scopes('duration', '  interval: 1h30m')?.['1h30m'], 'constant.numeric.duration.flux');
    assert.equal(scopes('duration', '  timeout: "500ms"  # comment')?.['500ms'], 'constant.numeric.duration.flux');
    for (const line of ['  interval: 1d', '  interval: 5m later', '  replicas: 5m', '  interval: "5m\'']) {
      assert.equal(scopes('duration', line), undefined, line);
    }
  });

  test('highlights the Flux image API group and kinds, and the reconcile annotation', () => {
    assert.equal(scopes('flux-api-version', 'apiVersion: image.toolkit.fluxcd.io/v1')?.['image.toolkit.fluxcd.io/v1'], 'support.type.api-version.flux');
    assert.equal(scopes('flux-api-version', 'apiVersion: apps/v1'), undefined);
    assert.equal(scopes('flux-kind', 'kind: ImageRepository')?.ImageRepository, 'support.class.kind.flux');
    assert.equal(scopes('flux-kind', 'kind: Deployment'), undefined);
    assert.match(scopes('reconcile-annotation', '    reconcile.fluxcd.io/requestedAt: "now"')?.['reconcile.fluxcd.io/requestedAt'] ?? '', /annotation\.flux/);
  });
});
