// What the reformat report says, without kyaml: the comment, flow and document rules name the line, the column
// and kyaml's text (test/flux/setters-oracle.test.ts checks the same rules against kyaml itself).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeReformats, reformatReport } from '../../common/flux/markers/reformat';

const M = 'image: x:1 # {"$imagepolicy": "ns:p"}\n';
const said = (text: string) => reformatReport(text).map((e) => [e.message, e.lines, e.replace?.text]);

describe('reformat report', () => {
  test('names the column a comment moves to and the node it is kept with', () => {
    assert.deepEqual(said(`${M}a:\n  b:\n    c: 1\n  # X\nd: 2\n`), [
      ['kyaml moves the comment on line 5 to column 5, as the foot comment of line 4', [5], '    # X'],
    ]);
    assert.deepEqual(said(`${M}m:\n# at the margin\n  b: 1\n`), [
      ['kyaml moves the comment on line 3 to column 3, as the head comment of line 4', [3], '  # at the margin'],
    ]);
  });

  test('says when a foot comment is followed by a blank line kyaml writes', () => {
    assert.deepEqual(said(`${M}a:\n  - b: v\n    c: 1\n    # foot\n  # head\n    d: 2\n`).map(([m]) => m), [
      'kyaml writes a blank line after the comment on line 5, a foot comment followed by line 6 at its column',
      'kyaml moves the comment on line 6 to column 5, as the head comment of line 7',
    ]);
  });

  test('leaves comments alone where go-yaml v3 writes them as they are', () => {
    assert.deepEqual(said(`${M}a:\n  b:\n    c: 1\n    # X\n  # Y\nd: 2\n`), []);
    assert.deepEqual(said(`${M}l:\n  - a\n  # between\n  - b\n  # after the last\n`), []);
    assert.deepEqual(said(`${M}b: {c: 1, # t\n  d: 2}\n`), []);
  });

  test('writes a flow collection with comments as go-yaml v3 does, and names a comment it drops', () => {
    assert.deepEqual(said(`${M}b: {\n  # head\n  c: 1,\n  d: 2\n  # foot\n}\n`), [
      ['kyaml writes the flow mapping as `{` / `  # head` / `  c: 1, d: 2,` / `  # foot` / `}`', [2, 3, 4, 5, 6, 7], 'b: {\n  # head\n  c: 1, d: 2,\n  # foot\n}'],
    ]);
    assert.deepEqual(said(`${M}b: [ # after the bracket\n  a]\n`).map(([m]) => m), [
      'kyaml writes the flow list as `[a]`, dropping the comment `# after the bracket` after the opening bracket',
    ]);
  });

  test('names the comments kyaml loses at document boundaries', () => {
    assert.deepEqual(said(`${M}--- # separator\nb: c\n`).map(([m]) => m), ['kyaml drops the comment `# separator` on the document separator (line 2)']);
    assert.deepEqual(said(`${M}---\n# only comments\n---\nb: 2\n`).map(([m]) => m), ['kyaml drops the document of only comments (it reads no node there)']);
  });

  test('puts a value written below its key on the key\'s line, with the key\'s comment', () => {
    assert.deepEqual(said(`${M}a: # c\n  v\n`), [['kyaml writes the value on line 3 on its key\'s line 2, with the comment `# c` after it', [2, 3], 'a: v # c']]);
  });

  test('follows a key\'s comment that its value\'s own comment displaces to the next key that takes it', () => {
    assert.deepEqual(said(`${M}a: # c\n  v # d\nb: [x]\nh: w\n`).map(([m]) => m), [
      "kyaml writes the value on line 3 on its key's line 2; the comment `# c` on line 2 does not stay with it",
      'kyaml writes the comment `# c` from line 2 after the value on line 5',
    ]);
    assert.deepEqual(said(`${M}a: # c\n  v # d\n`).map(([m]) => m).slice(1), ['kyaml drops the comment `# c` from line 2: no later key takes it']);
  });

  test('describes at most the entries asked for, and says how many more there are', () => {
    const text = `${M}\na: 1\n\n---\nb:\n    c: 1\n  # X\nd: 2\n`;
    const report = reformatReport(text);
    assert.ok(report.length > 2);
    assert.equal(describeReformats(report, 2).split('; ').length, 3);
    assert.match(describeReformats(report, 2), new RegExp(`; ${report.length - 2} more \\(tagline update lists them all\\)$`));
  });
});
