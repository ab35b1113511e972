// The setters' quoting, branch by branch: kyaml v0.21.1 FormatNonStringStyle (YAML 1.1 via go.yaml.in/yaml/v2),
// go-yaml v3's encoder tag/style choice and its emitter's fallbacks. Every expected line here was produced by
// image-automation-controller's own libraries (test/oracle kind "setters"; test/flux/setters-oracle.test.ts
// compares thousands more).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeSetterValue, isValueNonString, isYamlTimestamp, resolvePlain, scalarText } from '../../common/flux/markers/quoting';
import { applyEdits, fileSetters } from '../../common/flux/markers/setters';

function set(old: string, value: string): string {
  const text = `spec:\n  tag: ${old} # {"$imagepolicy": "ns:p:tag"}\n`;
  return applyEdits(text, fileSetters(text, () => ({ latestRef: { name: 'r', tag: value } })).edits).split('\n')[1].replace(/ # .*$/, '').replace(/^  tag: /, '');
}

describe('setter quoting as the automation writes values', () => {
  it('double-quotes a plain value that YAML 1.1 reads as a number or a bool', () => {
    assert.equal(set('latest', '1.1'), '"1.1"');
    assert.equal(set('latest', '10'), '"10"');
    assert.equal(set('latest', 'yes'), '"yes"');
    assert.equal(set('latest', 'off'), '"off"');
    assert.equal(set('latest', '0x1F'), '"0x1F"');
    assert.equal(set('latest', '1_000'), '"1_000"');
    assert.equal(set('latest', '.inf'), '".inf"');
  });
  it('double-quotes a plain string replaced by a date, and keeps a plain date replaced by a date plain', () => {
    assert.equal(set('latest', '2024-01-15'), '"2024-01-15"');
    assert.equal(set('2023-12-31', '2024-01-15'), '2024-01-15');
    assert.equal(set('2023-12-31', '2024-1-5'), '2024-1-5');
  });
  it('never unquotes a quoted value, and keeps its quote style', () => {
    assert.equal(set('"1.0"', 'v2'), '"v2"');
    assert.equal(set("'x'", 'v2'), "'v2'");
    assert.equal(set("'x'", '1.1'), "'1.1'");
  });
  it('keeps a plain value plain when it still reads as a string', () => {
    assert.equal(set('latest', 'v2'), 'v2');
    assert.equal(set('v1.0.0', '1.2.3'), '1.2.3');
    assert.equal(set('latest', '2024-13-01'), '2024-13-01');
  });
  it('writes the old tag out when a plain number, bool, date or null gets a value that no longer reads as one', () => {
    assert.equal(set('5', 'v2'), '!!int v2');
    assert.equal(set('1.0', '1.10.0'), '!!float 1.10.0');
    assert.equal(set('true', 'v2'), '!!bool v2');
    assert.equal(set('2023-12-31', 'v2'), '!!timestamp v2');
    assert.equal(set('~', 'v2'), '!!null v2');
    assert.equal(set('~', '1.1'), '!!null 1.1');
  });
  it('keeps an explicit tag unless the value must be quoted, and keeps anchors', () => {
    assert.equal(set('!!str 5', 'v2'), '!!str v2');
    assert.equal(set('!!str 5', '1.1'), '"1.1"');
    assert.equal(set('&a v1', '1.1'), '&a "1.1"');
  });
  it('leaves a file alone when no marked value changes, and re-encodes every marked value when one does', () => {
    const text = 'a: 1.0 # {"$imagepolicy": "ns:p:tag"}\nb: x:1.0 # {"$imagepolicy": "ns:p"}\n';
    assert.deepEqual(fileSetters(text, () => ({ latestRef: { name: 'x', tag: '1.0' } })).edits, []);
    assert.equal(applyEdits(text, fileSetters(text, () => ({ latestRef: { name: 'x', tag: '1.1' } })).edits), 'a: "1.1" # {"$imagepolicy": "ns:p:tag"}\nb: x:1.1 # {"$imagepolicy": "ns:p"}\n');
  });
  it('single-quotes a value plain YAML cannot carry in a flow mapping', () => {
    assert.deepEqual(encodeSetterValue({ style: 'plain', value: 'a', flow: true }, 'ghcr.io:5000/x'), { value: 'ghcr.io:5000/x', style: 'single', tag: '' });
    assert.deepEqual(encodeSetterValue({ style: 'plain', value: 'a', flow: false }, 'ghcr.io:5000/x'), { value: 'ghcr.io:5000/x', style: 'plain', tag: '' });
    assert.equal(scalarText({ value: "it's", style: 'single', tag: '' }), "'it''s'");
  });
  it('resolves plain scalars as go-yaml v2 and v3 do', () => {
    assert.equal(resolvePlain('yes', 2), '!!bool');
    assert.equal(resolvePlain('yes', 3), '!!str');
    assert.equal(resolvePlain('0o17', 3), '!!int');
    assert.equal(resolvePlain('08', 3), '!!float');
    assert.equal(resolvePlain('1e400', 3), '!!str');
    assert.equal(resolvePlain('99999999999999999999', 3), '!!float');
    assert.equal(resolvePlain('-0b101', 2), '!!int');
    assert.equal(resolvePlain('<<', 3), '!!merge');
    assert.equal(resolvePlain('', 3), '!!null');
    assert.ok(isYamlTimestamp('2024-02-29'));
    assert.ok(!isYamlTimestamp('2023-02-29'));
    assert.ok(isYamlTimestamp('2024-01-15T10:00:00Z'));
  });
  it('reads whole values as YAML 1.1 documents (kyaml IsValueNonString)', () => {
    assert.equal(isValueNonString('a: b'), true);
    assert.equal(isValueNonString('[a]'), true);
    assert.equal(isValueNonString('2024-01-15'), false);
    assert.equal(isValueNonString('*x'), false);
    assert.equal(isValueNonString(''), false);
    assert.equal(isValueNonString('null'), true);
    assert.equal(isValueNonString('1.2.3'), false);
  });
  it('sets markers in every document of a file, and none in a file with a document that does not parse', () => {
    const text = 'a: x:1 # {"$imagepolicy": "ns:p"}\n---\nb: x:1 # {"$imagepolicy": "ns:p"}\n';
    const lookup = () => ({ latestRef: { name: 'x', tag: '2' } });
    assert.equal(applyEdits(text, fileSetters(text, lookup).edits), text.replace(/x:1/g, 'x:2'));
    const broken = fileSetters(text + '---\nc: [\n', lookup);
    assert.deepEqual(broken.edits, []);
    assert.match(broken.problem!, /Flow sequence|Unexpected|flow/i);
  });
  it('leaves a marked key without a value alone (go-yaml gives that comment to the key), and writes "" for a missing digest', () => {
    const lookup = () => ({ latestRef: { name: 'x', tag: '2' } });
    assert.deepEqual(fileSetters('tag: # {"$imagepolicy": "ns:p:tag"}\n', lookup).edits, []);
    const digest = 'digest: sha256:abc # {"$imagepolicy": "ns:p:digest"}\n';
    assert.equal(applyEdits(digest, fileSetters(digest, lookup).edits), 'digest: "" # {"$imagepolicy": "ns:p:digest"}\n');
    assert.equal(set('5', ''), '!!int');
  });
  it('reports markers whose policy has no latest image, and leaves them alone', () => {
    const result = fileSetters('a: x:1 # {"$imagepolicy": "ns:p"}\n', () => ({ reason: 'no tags in database' }));
    assert.deepEqual(result.edits, []);
    assert.deepEqual(result.skipped.map((s) => `${s.marker.setter}: ${s.reason}`), ['ns:p: no tags in database']);
  });
});
