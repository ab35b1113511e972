// The controller's scan tests (image-reflector-controller internal/controller: TestImageRepositoryReconciler_scan,
// scan_test.go) against the
// real registry: stored order, revision, latestTags, exclusion, image errors, suspend, requestedAt, generations.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { getCondition } from '../../common/flux/conditions';
import type { FluxEvent, ImageRepositoryObject } from '../../common/model';
import type { ObjectStatus } from '../../common/protocol';
import { clearTokenCache, closeDispatchers } from '../../client/src/registry';
import type { Reconciler } from '../../client/src/reconciler';
import type { TagStore } from '../../client/src/store';
import { startRegistryBed, type RegistryBed } from '../harness/registry-bed';
import { imageRepository, Sandbox, workspace } from './reconciler-fixtures';

describe('reconciling ImageRepositories against a real registry', () => {
  let bed: RegistryBed;
  let sandbox: Sandbox;
  let store: TagStore;
  let reconciler: Reconciler;
  let statuses: ObjectStatus[];
  let events: FluxEvent[];

  before(async () => {
    bed = await startRegistryBed({
      variant: 'plain',
      shim: true,
      seed: {
        'order/abcd': ['a', 'b', 'c', 'd'],
        'order/cdab': ['c', 'd', 'a', 'b'],
        'order/cbad': ['c', 'b', 'a', 'd'],
        'eleven/tags': 'abcdefghijk'.split(''),
        'fetch/plain': ['0.1.0', '0.1.1', '0.2.0', '1.0.0', '1.1.0', '1.1.0-alpha'],
        'fetch/signed': ['0.1.0', '0.1.1', '0.1.1.sig', '1.0.0', '1.0.0.sig'],
        'fetch/alpha': ['0.1.0', '0.1.1', '0.1.1.sig', '1.0.0', '1.1.0-alpha'],
        'test-fetch': ['1.0.0'],
      },
    });
  });
  after(async () => {
    await closeDispatchers();
    await bed?.stop();
  });
  beforeEach(async () => {
    await sandbox?.dispose();
    sandbox = new Sandbox();
    store = await sandbox.store();
    reconciler = sandbox.reconciler(store);
    statuses = [];
    events = [];
    reconciler.onStatus((s) => statuses.push(structuredClone(s)));
    reconciler.onEvent((e) => events.push(e));
    bed.faults([]);
    bed.requests.length = 0;
    clearTokenCache();
  });
  after(() => sandbox?.dispose());

  async function reconcile(...objects: ImageRepositoryObject[]) {
    reconciler.update(workspace(objects));
    await reconciler.whenIdle();
    return objects.map((o) => reconciler.status(`${o.metadata.namespace}/${o.metadata.name}`)!);
  }

  it('stores a,b,c,d as d,c,b,a with the Badger revision 580584407 and Ready=True', async () => {
    const [status] = await reconcile(imageRepository('abcd', { image: `${bed.host}/order/abcd` }));
    assert.deepEqual(store.object('default/abcd')?.tags, ['d', 'c', 'b', 'a']);
    assert.equal(status.lastScanResult?.revision, '580584407');
    assert.equal(status.lastScanResult?.tagCount, 4);
    assert.deepEqual(status.lastScanResult?.latestTags, ['d', 'c', 'b', 'a']);
    assert.match(status.lastScanResult!.scanTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(status.canonicalImageName, `${bed.host}/order/abcd`);
    assert.deepEqual(status.observedExclusionList, ['^.*\\.sig$']);
    assert.equal(status.observedGeneration, 1);
    assert.deepEqual(status.conditions.map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration]), [
      ['Ready', 'True', 'Succeeded', 'successful scan: found 4 tags with checksum 580584407', 1],
    ]);
    assert.deepEqual(events.map((e) => [e.type, e.reason, e.message]), [
      ['Normal', 'Succeeded', 'successful scan: found 4 tags with checksum 580584407'],
    ]);
  });

  it('reports the controller\'s progress while the first scan runs', async () => {
    await reconcile(imageRepository('progress', { image: `${bed.host}/order/abcd` }));
    const seen = statuses.map((s) => s.status.conditions.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`).join(' | '));
    assert.deepEqual(seen.slice(0, 2), [
      'Reconciling=True Progressing: processing object: new generation -1 -> 1 | Ready=Unknown Progressing: processing object: new generation -1 -> 1',
      'Reconciling=True Progressing: scanning: first scan | Ready=Unknown Progressing: scanning: first scan',
    ]);
    assert.equal(statuses[1].scanning, true);
    assert.equal(statuses.at(-1)?.scanning, false);
  });

  it('stores the same order and revision whatever order the tags were pushed in', async () => {
    const statusesByOrder = await reconcile(
      imageRepository('cdab', { image: `${bed.host}/order/cdab` }),
      imageRepository('cbad', { image: `${bed.host}/order/cbad` }),
    );
    for (const status of statusesByOrder) {
      assert.equal(status.lastScanResult?.revision, '580584407');
      assert.deepEqual(status.lastScanResult?.latestTags, ['d', 'c', 'b', 'a']);
    }
  });

  it('keeps ten of eleven tags in latestTags and counts all eleven', async () => {
    const [status] = await reconcile(imageRepository('eleven', { image: `${bed.host}/eleven/tags` }));
    assert.equal(status.lastScanResult?.tagCount, 11);
    assert.deepEqual(store.object('default/eleven')?.tags, 'kjihgfedcba'.split(''));
    assert.deepEqual(status.lastScanResult?.latestTags, 'kjihgfedcb'.split(''));
  });

  it('excludes tags matching any pattern, unanchored, per object even when they share the image', async () => {
    const [one, two] = await reconcile(
      imageRepository('exclude-c', { image: `${bed.host}/order/abcd`, exclusionList: ['c'] }),
      imageRepository('exclude-ca', { image: `${bed.host}/order/abcd`, exclusionList: ['c', 'a'] }),
    );
    assert.deepEqual(store.object('default/exclude-c')?.tags, ['d', 'b', 'a']);
    assert.deepEqual(store.object('default/exclude-ca')?.tags, ['d', 'b']);
    assert.equal(one.lastScanResult?.tagCount, 3);
    assert.equal(two.lastScanResult?.tagCount, 2);
    assert.deepEqual(two.observedExclusionList, ['c', 'a']);
    assert.deepEqual(reconciler.storedTags(`${bed.host}/order/abcd`)?.sort(), ['a', 'b', 'c', 'd']);
  });

  it('fetches image tags: 6, then 4 with the default exclusion, then 4 when a pattern replaces the default', async () => {
    const [plain, signed, alpha] = await reconcile(
      imageRepository('plain', { image: `${bed.host}/fetch/plain` }),
      imageRepository('signed', { image: `${bed.host}/fetch/signed` }),
      imageRepository('alpha', { image: `${bed.host}/fetch/alpha`, exclusionList: ['^.*\\-alpha$'] }),
    );
    assert.equal(plain.lastScanResult?.tagCount, 6);
    assert.equal(signed.lastScanResult?.tagCount, 3);
    assert.deepEqual(store.object('default/alpha')?.tags, ['1.0.0', '0.1.1.sig', '0.1.1', '0.1.0']);
    for (const [status, repo] of [[plain, 'fetch/plain'], [signed, 'fetch/signed'], [alpha, 'fetch/alpha']] as const) {
      assert.equal(status.canonicalImageName, `${bed.host}/${repo}`);
      assert.ok((status.lastScanResult?.latestTags?.length ?? 0) > 0);
    }
  });

  it('fails with ReadOperationFailed and the Go regexp error for the pattern [=, and is retried rather than stalled', async () => {
    const [status] = await reconcile(imageRepository('badregex', { image: `${bed.host}/order/abcd`, exclusionList: ['[='] }));
    const ready = getCondition(status, 'Ready')!;
    assert.equal(ready.status, 'False');
    assert.equal(ready.reason, 'ReadOperationFailed');
    assert.equal(ready.message, 'scan failed: failed to compile regex [=: error parsing regexp: missing closing ]: `[=`');
    assert.equal(getCondition(status, 'Stalled'), undefined);
    assert.equal(getCondition(status, 'Reconciling')?.reason, 'ProgressingWithRetry');
    assert.equal(getCondition(status, 'Reconciling')?.message, 'scanning: first scan');
    assert.equal(status.observedGeneration, -1);
    assert.deepEqual(events.map((e) => `${e.type} ${e.reason}`), ['Warning ReadOperationFailed']);
  });

  it('reports a missing repository as ReadOperationFailed with the registry error', async () => {
    const [status] = await reconcile(imageRepository('missing', { image: `${bed.host}/no/such` }));
    const ready = getCondition(status, 'Ready')!;
    assert.equal(ready.reason, 'ReadOperationFailed');
    assert.match(ready.message, /^scan failed: GET http:\/\/127\.0\.0\.1:\d+\/v2\/no\/such\/tags\/list\?n=1000: NAME_UNKNOWN/);
  });

  it('reports 404 Not Found for a repository the registry answers with an empty 404', async () => {
    bed.faults([{ match: '/v2/gone/repo/tags/list', status: 404, body: '' }]);
    const [status] = await reconcile(imageRepository('gone', { image: `${bed.host}/gone/repo` }));
    assert.match(getCondition(status, 'Ready')!.message, /404 Not Found/);
  });

  it('stalls an image with a URL scheme: ImageURLInvalid, no scan, no requeue', async () => {
    const [status] = await reconcile(imageRepository('scheme', { image: `https://${bed.host}/order/abcd` }));
    const expected = `image 'https://${bed.host}/order/abcd' should not include URL scheme; remove 'https://'`;
    assert.deepEqual(status.conditions.map((c) => [c.type, c.status, c.reason, c.message]), [
      ['Stalled', 'True', 'ImageURLInvalid', expected],
      ['Ready', 'False', 'ImageURLInvalid', expected],
    ]);
    assert.equal(status.observedGeneration, 1);
    assert.equal(status.canonicalImageName, undefined);
    assert.equal(bed.requests.length, 0);
    assert.deepEqual(events.map((e) => [e.type, e.reason, e.message]), [['Warning', 'ImageURLInvalid', expected]]);
  });

  it('stalls an image with a tag: should not include a tag', async () => {
    const [status] = await reconcile(imageRepository('withtag', { image: `${bed.host}/test-fetch:1.0.0` }));
    assert.equal(getCondition(status, 'Ready')?.reason, 'ImageURLInvalid');
    assert.equal(getCondition(status, 'Ready')?.message, `image '${bed.host}/test-fetch:1.0.0' should not include a tag; remove ':1.0.0'`);
  });

  it('keeps host:port in the canonical name', async () => {
    const [status] = await reconcile(imageRepository('hostport', { image: `${bed.host}/test-fetch` }));
    assert.equal(status.canonicalImageName, `${bed.host}/test-fetch`);
    assert.equal(getCondition(status, 'Ready')?.status, 'True');
  });

  it('writes no status for a suspended object, only the handled request', async () => {
    const suspended = imageRepository('suspended', { image: `${bed.host}/order/abcd`, suspend: true }, { annotations: { 'reconcile.fluxcd.io/requestedAt': 'token-1' } });
    const [status] = await reconcile(suspended);
    assert.equal(status.canonicalImageName, undefined);
    assert.equal(status.lastScanResult, undefined);
    assert.deepEqual(status.conditions, []);
    assert.equal(status.lastHandledReconcileAt, 'token-1');
    assert.deepEqual(events, []);
    assert.equal(bed.requests.length, 0);
  });

  it('copies the requestedAt annotation into lastHandledReconcileAt and ends Ready', async () => {
    const [status] = await reconcile(
      imageRepository('requested', { image: `${bed.host}/order/abcd` }, { annotations: { 'reconcile.fluxcd.io/requestedAt': 'some-string' } }),
    );
    assert.equal(status.lastHandledReconcileAt, 'some-string');
    assert.equal(getCondition(status, 'Ready')?.status, 'True');
  });

  it('rescans on a new requestedAt value and on a local rescan request, not otherwise', async () => {
    const base = imageRepository('rescan', { image: `${bed.host}/order/abcd` });
    await reconcile(base);
    const listings = () => bed.requests.filter((r) => r.url.includes('/v2/order/abcd/tags/list')).length;
    assert.equal(listings(), 1);

    reconciler.update(workspace([{ ...base, metadata: { ...base.metadata, labels: { unrelated: 'edit' } } }]));
    await reconciler.whenIdle();
    assert.equal(listings(), 1, 'a label edit starts no reconcile');

    const annotated = imageRepository('rescan', { image: `${bed.host}/order/abcd` }, { annotations: { 'reconcile.fluxcd.io/requestedAt': '2026-01-01T00:00:00Z' } });
    await reconcile(annotated);
    assert.equal(listings(), 2);
    assert.equal(reconciler.status('default/rescan')?.lastHandledReconcileAt, '2026-01-01T00:00:00Z');

    await reconciler.requestReconcile('default/rescan');
    assert.equal(listings(), 3);
    const handled = reconciler.status('default/rescan')?.lastHandledReconcileAt;
    assert.notEqual(handled, '2026-01-01T00:00:00Z');
    assert.ok(!Number.isNaN(Date.parse(handled!)));
    assert.deepEqual(events.map((e) => `${e.type} ${e.message}`).slice(1), [
      'Trace tags did not change, next scan in 5m0s',
      'Trace tags did not change, next scan in 5m0s',
    ]);
  });

  it('announces a new generation when the spec changes and rescans for a new image name', async () => {
    await reconcile(imageRepository('gen', { image: `${bed.host}/order/abcd` }));
    statuses.length = 0;
    const [status] = await reconcile(imageRepository('gen', { image: `${bed.host}/eleven/tags` }));
    assert.equal(statuses[0].status.conditions.find((c) => c.type === 'Reconciling')?.message, 'processing object: new generation 1 -> 2');
    assert.ok(statuses.some((s) => s.status.conditions.some((c) => c.message === 'scanning: new image name')));
    assert.equal(status.observedGeneration, 2);
    assert.equal(status.canonicalImageName, `${bed.host}/eleven/tags`);
    assert.ok(status.conditions.every((c) => c.observedGeneration === 2));
  });

  it('does not rescan when only the interval changes, and says so in a Trace event', async () => {
    await reconcile(imageRepository('interval', { image: `${bed.host}/order/abcd` }));
    await reconcile(imageRepository('interval', { image: `${bed.host}/order/abcd`, interval: '10m' }));
    assert.equal(bed.requests.filter((r) => r.url.includes('/tags/list')).length, 1);
    assert.equal(events.length, 2);
    assert.equal(events[1].type, 'Trace');
    assert.match(events[1].message, /^no change in repository configuration since last scan, next scan in 9m5\d(\.\d+)?s$/);
  });

  it('rescans with the reason "updated exclusion list" when only the exclusion list changes', async () => {
    await reconcile(imageRepository('excl', { image: `${bed.host}/order/abcd` }));
    statuses.length = 0;
    const [status] = await reconcile(imageRepository('excl', { image: `${bed.host}/order/abcd`, exclusionList: ['a'] }));
    assert.ok(statuses.some((s) => s.status.conditions.some((c) => c.message === 'scanning: updated exclusion list')));
    assert.equal(status.lastScanResult?.tagCount, 3);
    assert.equal(events.at(-1)?.type, 'Normal');
  });

  it('stalls provider authentication through a service account: the feature gate is off', async () => {
    const [status] = await reconcile(imageRepository('gate', { image: `${bed.host}/order/abcd`, provider: 'aws', serviceAccountName: 'sa' }));
    assert.deepEqual(status.conditions.map((c) => [c.type, c.status, c.reason]), [
      ['Stalled', 'True', 'FeatureGateDisabled'],
      ['Ready', 'False', 'FeatureGateDisabled'],
    ]);
    assert.equal(
      getCondition(status, 'Stalled')?.message,
      'to use spec.serviceAccountName for provider authentication please enable the ObjectLevelWorkloadIdentity feature gate in the controller',
    );
  });

  it('forgets an object that leaves the workspace', async () => {
    const removed: string[] = [];
    reconciler.onRemoved((key) => removed.push(key));
    await reconcile(imageRepository('leaving', { image: `${bed.host}/order/abcd` }));
    await reconcile();
    assert.deepEqual(removed, ['default/leaving']);
    assert.equal(reconciler.status('default/leaving'), undefined);
    assert.deepEqual(reconciler.statuses(), []);
  });
});
