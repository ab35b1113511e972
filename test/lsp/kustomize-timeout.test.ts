// tagline.kustomize.buildTimeout reaches the language server: a root whose build uses more CPU time than the setting
// allows shows the timeout (saying what to do) on its kustomization file, and raising the setting builds it again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { TestServer } from './harness';

const root = mkdtempSync(join(tmpdir(), 'tagline-kustomize-timeout-'));
const kustomization = `resources:\n${Array.from({ length: 50 }, (_, i) => `  - repo-${i}.yaml`).join('\n')}\n`;
writeFileSync(join(root, 'kustomization.yaml'), kustomization);
for (let i = 0; i < 50; i++) writeFileSync(join(root, `repo-${i}.yaml`), `apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: repo-${i}\nspec:\n  image: ghcr.io/acme/repo-${i}\n`);
const configuration = { kustomize: { buildTimeout: 0.001 } };
const server = new TestServer({ rootUri: pathToFileURL(root).href, configuration });
after(async () => {
  await server.stop();
  rmSync(root, { recursive: true, force: true });
});

test('a build over tagline.kustomize.buildTimeout is the root\'s error until the setting is raised', { timeout: 240_000 }, async () => {
  await server.initialize();
  const uri = pathToFileURL(join(root, 'kustomization.yaml')).href;
  const messages = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.code === 'kustomize.build').map((d) => d.message);
  let diagnostics = await server.open(uri, kustomization);
  while (messages(diagnostics).length === 0) diagnostics = (await server.nextDiagnostics(uri)).diagnostics;
  assert.deepEqual(messages(diagnostics), [
    'kustomize build did not finish within 0.001s of CPU time: if the root is just large, raise the budget (setting tagline.kustomize.buildTimeout, or tagline check --kustomize-timeout SECONDS) (kustomization .)',
  ]);

  configuration.kustomize.buildTimeout = 120;
  await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  while (messages(diagnostics).length > 0) diagnostics = (await server.nextDiagnostics(uri)).diagnostics;
  assert.deepEqual(diagnostics, []);
});
