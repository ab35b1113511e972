import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { contextNames, goRfc3339Nano, kubeconfigFiles, loadKubeConfig, contextNamespace, redact } from '../../client/src/kubernetes';

const kubeconfig = (context: string, user: string, extra = '') => `apiVersion: v1
kind: Config
current-context: ${context}
clusters:
- name: ${context}
  cluster: { server: "https://127.0.0.1:6443" }
users:
- name: ${user}
  user: { token: "sekret-token-${user}" }
contexts:
- name: ${context}
  context: { cluster: ${context}, user: ${user}${extra} }
`;

test('reads every KUBECONFIG file; the first file to name a context or set current-context wins', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tagline-kc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = join(dir, 'a'), b = join(dir, 'b');
  writeFileSync(a, kubeconfig('prod', 'jane', ', namespace: apps'));
  writeFileSync(b, kubeconfig('staging', 'joe'));
  const env = { KUBECONFIG: [a, '', b].join(delimiter) };
  assert.deepEqual(kubeconfigFiles(env), [a, b]);
  assert.deepEqual(contextNames({ env }), ['prod', 'staging']);
  const prod = loadKubeConfig({ env });
  assert.equal(prod.getCurrentContext(), 'prod');
  assert.equal(contextNamespace(prod), 'apps');
  const staging = loadKubeConfig({ env, context: 'staging' });
  assert.equal(staging.getCurrentUser()?.name, 'joe');
  assert.equal(contextNamespace(staging), 'default');
  assert.throws(() => loadKubeConfig({ env, context: 'dev' }), { message: 'context was not found for specified context: dev' });
  assert.throws(() => loadKubeConfig({ env: { KUBECONFIG: join(dir, 'missing') } }), { message: 'invalid configuration: no configuration has been provided' });
});

test('scrubs the user\'s token and any bearer value from a message', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tagline-kc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'c'), kubeconfig('prod', 'jane'));
  const config = loadKubeConfig({ files: [join(dir, 'c')] });
  assert.equal(redact('exec said sekret-token-jane; header Bearer abc.def', config), 'exec said [redacted]; header Bearer [redacted]');
});

test('formats the reconcile request time as Go time.RFC3339Nano does', () => {
  const date = new Date(Date.UTC(2026, 10, 29, 19, 5, 3, 120));
  assert.match(goRfc3339Nano(date), /^2026-11-29T\d\d:\d\d:03\.12(Z|[+-]\d\d:\d\d)$/);
  if (date.getTimezoneOffset() === 0) {
    assert.equal(goRfc3339Nano(date), '2026-11-29T19:05:03.12Z');
    assert.equal(goRfc3339Nano(new Date(Date.UTC(2026, 0, 1))), '2026-01-01T00:00:00Z');
  }
});
