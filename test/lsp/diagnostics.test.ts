import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { brief, TestServer } from './harness';

const FIXTURES = resolve(__dirname, '../fixtures/lsp');
const MIXED = readFileSync(resolve(FIXTURES, 'mixed.yaml'), 'utf8');

describe('diagnostics over stdio', () => {
  const server = new TestServer();
  before(() => server.initialize());
  after(() => server.stop());

  test('checks only the ImageRepository of a multi-document file, on exact ranges', async () => {
    const diagnostics = await server.open('file:///ws/mixed.yaml', MIXED);
    assert.deepEqual(brief(diagnostics), [
      "14:9-14:43 1 image.tag image 'ghcr.io/stefanprodan/podinfo:6.5.0' should not include a tag; remove ':6.5.0'",
      '16:11-16:13 1 schema.pattern "1h" is not a valid timeout: use a Go duration with the units ms, s or m (the CRD allows no h), e.g. 30s or 90m.',
      // Go ≥ 1.22 reads `(?<` as the start of a named group, so a lookbehind fails as a bad group name.
      '19:6-19:15 1 exclusionList.invalidRegex failed to compile regex (?<=v)1: error parsing regexp: invalid named capture: `(?<=v)1`',
    ]);
    assert.ok(diagnostics.every((d) => d.source === 'tagline'));
  });

  test('re-validates after an incremental one-character edit', async () => {
    const uri = 'file:///ws/edit.yaml';
    await server.open(uri, MIXED);
    const next = server.nextDiagnostics(uri, 2);
    // `timeout: 1h` → `timeout: 1m`.
    await server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 16, character: 12 }, end: { line: 16, character: 13 } }, text: 'm' }],
    });
    const diagnostics = (await next).diagnostics;
    assert.deepEqual(diagnostics.map((d) => d.code), ['image.tag', 'exclusionList.invalidRegex']);
  });

  test('moves the diagnostics of later documents when lines are added above them', async () => {
    const uri = 'file:///ws/shift.yaml';
    await server.open(uri, MIXED);
    const next = server.nextDiagnostics(uri, 2);
    await server.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# one\n# two\n' }],
    });
    assert.deepEqual((await next).diagnostics.map((d) => d.range.start.line), [16, 18, 21]);
  });

  test('says nothing about YAML files without ImageRepositories', async () => {
    assert.deepEqual(await server.open('file:///ws/other.yaml', 'kind: Deployment\nspec: [broken\n'), []);
  });

  test('clears the diagnostics of a closed document', async () => {
    const uri = 'file:///ws/close.yaml';
    await server.open(uri, MIXED);
    const cleared = server.nextDiagnostics(uri);
    await server.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    assert.deepEqual((await cleared).diagnostics, []);
  });
});

describe('settings', () => {
  test('a client without workspace/configuration can push tagline.validation.enable', async () => {
    const server = new TestServer();
    try {
      await server.initialize();
      const uri = 'file:///ws/pushed.yaml';
      assert.equal((await server.open(uri, MIXED)).length, 3);
      const next = server.nextDiagnostics(uri);
      await server.connection.sendNotification('workspace/didChangeConfiguration', { settings: { tagline: { validation: { enable: false } } } });
      assert.deepEqual((await next).diagnostics, []);
    } finally {
      await server.stop();
    }
  });

  test('tagline.validation.enable=false (pulled with workspace/configuration) silences the checks', async () => {
    const server = new TestServer({ configuration: { validation: { enable: false } } });
    try {
      await server.initialize();
      assert.deepEqual(await server.open('file:///ws/mixed.yaml', MIXED), []);
    } finally {
      await server.stop();
    }
  });
});
