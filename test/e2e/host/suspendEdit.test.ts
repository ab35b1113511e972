// The text edit behind Suspend/Resume, on the YAML shapes people write (runs in the extension host because
// commands/manifest.ts belongs to the adapter).
import * as assert from 'node:assert/strict';
import { suspendEdit, type TextEdit } from '../../../client/src/commands/manifest';

const apply = (text: string, edit: TextEdit | undefined | string) => {
  assert.ok(typeof edit === 'object', `expected an edit, got ${String(edit)}`);
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
};

const head = 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: a\n';

describe('suspendEdit', () => {
  it('inserts suspend: true as the first spec key, with the spec indentation', () => {
    const text = `${head}spec:\n    image: ghcr.io/a/b\n    interval: 5m\n`;
    assert.equal(apply(text, suspendEdit(text, 0, true)), `${head}spec:\n    suspend: true\n    image: ghcr.io/a/b\n    interval: 5m\n`);
  });

  it('replaces an existing value and leaves an equal one alone', () => {
    const text = `${head}spec:\n  image: ghcr.io/a/b\n  suspend: true # paused for the migration\n`;
    assert.equal(apply(text, suspendEdit(text, 0, false)), `${head}spec:\n  image: ghcr.io/a/b\n  suspend: false # paused for the migration\n`);
    assert.equal(suspendEdit(text, 0, true), undefined);
  });

  it('edits the right document of a multi-document file', () => {
    const text = `${head}spec:\n  image: x/y\n---\n${head}spec:\n  image: ghcr.io/a/b\n`;
    const out = apply(text, suspendEdit(text, 1, true));
    assert.equal(out, `${head}spec:\n  image: x/y\n---\n${head}spec:\n  suspend: true\n  image: ghcr.io/a/b\n`);
  });

  it('handles a flow-style spec', () => {
    const text = `${head}spec: {image: ghcr.io/a/b, interval: 5m}\n`;
    assert.equal(apply(text, suspendEdit(text, 0, true)), `${head}spec: {suspend: true, image: ghcr.io/a/b, interval: 5m}\n`);
  });

  it('explains instead of editing broken YAML or a missing spec', () => {
    assert.equal(suspendEdit(`${head}spec:\n  image: [unclosed\n`, 0, true), 'the YAML document has syntax errors');
    assert.equal(suspendEdit(head, 0, true), 'it has no spec mapping');
    assert.equal(suspendEdit(`${head}spec:\n  image: a/b\n`, 0, false), undefined);
  });
});
