// One ImageUpdateAutomation applied to several clusters, its update.path a post-build variable
// (`${CLUSTER_PATH}/apps`) that each cluster's Flux Kustomization sets: image-automation-controller reads the
// objects as applied, so markers are judged against each cluster's automation as built (name suffix included),
// and a cluster whose value is only in the cluster (a substituteFrom ConfigMap not committed) gives information on
// the automation, not warnings guessed from the unsubstituted path. `tagline check` and the language server agree.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { WorkspaceIndexParams } from '../../common/protocol';
import { brief, TestServer } from './harness';

const CLI = resolve(__dirname, '../../dist/cli.js');
const FIXTURE = resolve(__dirname, '../fixtures/kustomize/automation-vars');
const AUTOMATION = 'components/automation/automation.yaml';
const LEGACY = 'clusters/staging/legacy/deployment.yaml';

const OUTSIDE = 'No ImageUpdateAutomation rewrites this file: flux-system/web rewrites ${CLUSTER_PATH}/apps; flux-system/web rewrites ./clusters/prod/apps; flux-system/web-staging rewrites ./clusters/staging/apps.';
const UNRESOLVED = "spec.update.path '${CLUSTER_PATH}/apps' holds ${CLUSTER_PATH}, whose value is not known here: as Kustomization flux-system/automation in clusters/dev/automation.yaml builds it, ConfigMap/cluster-vars is not in the workspace (it may exist only in the cluster). Markers in folders its update.path may name are not judged against this automation.";

interface Finding { file: string; range: Diagnostic['range']; severity: string; code: string; message: string }

const uriOf = (path: string) => pathToFileURL(join(FIXTURE, path)).href;

describe('ImageUpdateAutomations read as the roots build them', () => {
  const server = new TestServer({ rootUri: pathToFileURL(FIXTURE).href });
  let automations: WorkspaceIndexParams['automations'];
  before(async () => {
    // Built: the index lists the staging cluster's automation under the name its Flux Kustomization's nameSuffix gives.
    const built = new Promise<void>((resolve) => {
      server.connection.onNotification('tagline/workspaceIndex', (params: WorkspaceIndexParams) => {
        if (params.automations?.some((a) => a.name === 'web-staging')) {
          automations = params.automations;
          resolve();
        }
      });
    });
    await server.initialize();
    await built;
  });
  after(() => server.stop());

  test('tagline check warns only on the marker no built automation can rewrite, and informs on the unknown path', () => {
    const run = spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'json'], { cwd: FIXTURE, encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.stderr, '');
    const findings = JSON.parse(run.stdout) as Finding[];
    assert.deepEqual(findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.character} ${f.severity} ${f.code} ${f.message}`), [
      'clusters/dev/automation.yaml:14:4 warning postBuild.substituteFrom substitute from \'ConfigMap/cluster-vars\' error: configmaps "cluster-vars" not found',
      `${LEGACY}:16:44 warning marker.outsideAutomations ${OUTSIDE}`,
      `${AUTOMATION}:19:10 information automation.pathUnresolved ${UNRESOLVED}`,
    ]);
  });

  test('the language server publishes the same findings once the roots are built', async () => {
    const open = async (path: string) => brief(await server.open(uriOf(path), readFileSync(join(FIXTURE, path), 'utf8')));
    assert.deepEqual(await open('clusters/prod/apps/deployment.yaml'), []);
    assert.deepEqual(await open('clusters/staging/apps/deployment.yaml'), []);
    assert.deepEqual(await open('clusters/dev/apps/deployment.yaml'), []);
    assert.deepEqual(await open(LEGACY), [`16:44-16:81 2 marker.outsideAutomations ${OUTSIDE}`]);
    assert.deepEqual(await open(AUTOMATION), [`19:10-19:30 3 automation.pathUnresolved ${UNRESOLVED}`]);
  });

  test('the automation tree lists each cluster\'s automation with the markers it writes', () => {
    assert.deepEqual(automations?.map((a) => `${a.namespace}/${a.name} ${a.path} ${a.files.map((f) => f.uri.slice(pathToFileURL(FIXTURE).href.length + 1)).join(',')}`), [
      'flux-system/web ${CLUSTER_PATH}/apps ',
      'flux-system/web ./clusters/prod/apps clusters/prod/apps/deployment.yaml',
      'flux-system/web-staging ./clusters/staging/apps clusters/staging/apps/deployment.yaml',
    ]);
  });

  test('hover on a marker names the automation as built for that cluster', async () => {
    const result = await server.request<{ contents: { value: string } } | null>('textDocument/hover', {
      textDocument: { uri: uriOf('clusters/staging/apps/deployment.yaml') }, position: { line: 16, character: 20 },
    });
    assert.match(result?.contents.value ?? '', /Written by `flux-system\/web-staging` \(ImageUpdateAutomation, update\.path `\.\/clusters\/staging\/apps`\)\./);
    const dev = await server.request<{ contents: { value: string } } | null>('textDocument/hover', {
      textDocument: { uri: uriOf('clusters/dev/apps/deployment.yaml') }, position: { line: 16, character: 20 },
    });
    assert.ok(dev?.contents.value.includes('Perhaps written by `flux-system/web` (ImageUpdateAutomation, update.path `${CLUSTER_PATH}/apps`): `${CLUSTER_PATH}` is not known here.'), dev?.contents.value);
  });
});
