// The recent events kept per object for "Show Events" (client/src/host/eventLog.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENTS_PER_OBJECT, EventLog } from '../../client/src/host/eventLog';
import type { FluxEvent } from '../../common/model';

const event = (name: string, n: number): FluxEvent => ({
  type: 'Normal', reason: 'Succeeded', message: `scan ${n}`, timestamp: new Date(n * 1000).toISOString(),
  involvedObject: { kind: 'ImageRepository', namespace: 'apps', name },
});

test('keeps the last EVENTS_PER_OBJECT events of each object, oldest first, apart from other objects', () => {
  const log = new EventLog();
  for (let n = 0; n < EVENTS_PER_OBJECT + 10; n++) log.add(event('podinfo', n));
  log.add(event('nginx', 0));
  const kept = log.for('apps/podinfo').map((e) => e.message);
  assert.equal(kept.length, EVENTS_PER_OBJECT);
  assert.equal(kept[0], 'scan 10');
  assert.equal(kept.at(-1), `scan ${EVENTS_PER_OBJECT + 9}`);
  assert.deepEqual(log.for('apps/nginx').map((e) => e.message), ['scan 0']);
  assert.deepEqual(log.for('apps/none'), []);
});
