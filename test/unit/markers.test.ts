// Image-update markers as image-automation-controller v1.2.0 (kyaml fieldmeta on go-yaml v3) reads them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findMarkers, parseSetterName, setterValue } from '../../common/flux/markers/markers';

const found = (text: string) => findMarkers(text).markers.map((m) => `${m.setter}=${m.value}`);

describe('image-update markers', () => {
  it('reads only files with the literal "$imagepolicy"', () => {
    assert.deepEqual(findMarkers('image: a:1 # {"\\u0024imagepolicy": "ns:p"}\n'), { markers: [], problems: [] });
  });
  it('takes the line comment of a scalar, with any number of leading #', () => {
    assert.deepEqual(found('image: a:1 # {"$imagepolicy": "ns:p"}\ntag: "2" ##{"$imagepolicy":"ns:p:tag"}\n'), ['ns:p=a:1', 'ns:p:tag=2']);
  });
  it('takes the comment above a sequence item, but not above a mapping key (go-yaml gives that one to the key)', () => {
    assert.deepEqual(found('args:\n  # {"$imagepolicy": "ns:p:tag"}\n  - "1.0"\n# {"$imagepolicy": "ns:p"}\nimage: a:1\n'), ['ns:p:tag=1.0']);
  });
  it('prefers the line comment: a sequence item with another line comment is not marked by the comment above', () => {
    assert.deepEqual(found('args:\n  # {"$imagepolicy": "ns:p:tag"}\n  - "1.0" # keep\n'), []);
  });
  it('needs a whole JSON object of string values, with a non-empty $imagepolicy', () => {
    assert.deepEqual(found('a: x # {"$imagepolicy": "ns:p", "note": 1}\nb: y # {"$imagepolicy": ""}\nc: z # {"$imagepolicy": "ns:p"} trailing\n'), []);
    assert.deepEqual(findMarkers('a: x # {"$imagepolicy": "ns:p", "note": 1}\n').problems.map((p) => p.kind), ['malformed']);
    assert.deepEqual(found('a: x # {"other": "y", "$imagepolicy": "ns:p:name"}\n'), ['ns:p:name=x']);
  });
  it('ignores markers on mappings and lists, and names them', () => {
    const r = findMarkers('env: {A: "1"} # {"$imagepolicy": "ns:p"}\nlist: [a] # {"$imagepolicy": "ns:p"}\n');
    assert.deepEqual(r.markers, []);
    assert.deepEqual(r.problems.map((p) => p.kind), ['notScalar', 'notScalar']);
  });
  it('skips a document that does not parse, and says why', () => {
    const r = findMarkers('image: [a # {"$imagepolicy": "ns:p"}\n');
    assert.deepEqual(r.markers, []);
    assert.ok(r.syntaxError);
  });
  it('splits setter names as the automation defines them', () => {
    assert.deepEqual(parseSetterName('ns:p'), { namespace: 'ns', name: 'p', field: 'image' });
    assert.deepEqual(parseSetterName('ns:p:digest'), { namespace: 'ns', name: 'p', field: 'digest' });
    assert.equal(parseSetterName('p'), undefined);
    assert.equal(parseSetterName('ns:p:version'), undefined);
    assert.equal(parseSetterName('ns::tag'), undefined);
  });
  it('writes ImageRef.String() for the whole image, and the tag, name or digest otherwise', () => {
    const ref = { name: 'ghcr.io/acme/app', tag: '1.10.0' };
    assert.equal(setterValue('image', ref), 'ghcr.io/acme/app:1.10.0');
    assert.equal(setterValue('image', { ...ref, digest: 'sha256:ab' }), 'ghcr.io/acme/app:1.10.0@sha256:ab');
    assert.equal(setterValue('tag', ref), '1.10.0');
    assert.equal(setterValue('name', ref), 'ghcr.io/acme/app');
    assert.equal(setterValue('digest', { ...ref, digest: 'sha256:ab' }), 'sha256:ab');
  });
});
