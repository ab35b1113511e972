// The server in a third-party editor: Neovim, headless, attaches `node dist/server.js --stdio` to a YAML buffer
// and must report the same diagnostics as our own stdio client.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { SERVER, TestServer } from './harness';

const FIXTURE = readFileSync(resolve(__dirname, '../fixtures/lsp/mixed.yaml'), 'utf8');

// The README's own Neovim snippet, run as it is: the first ```lua block under "Other editors".
function readmeSnippet(): string {
  const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Other editors'));
  const block = /```lua\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md has no ```lua block under "### Other editors"');
  return block[1]!;
}

// Collects what Neovim's own diagnostic store holds after the first publishDiagnostics, then quits.
const HARNESS_LUA = `
local out = vim.env.TAGLINE_OUT
local function finish(result)
  local f = io.open(out, 'w'); f:write(vim.fn.json_encode(result)); f:close()
  vim.cmd('qall!')
end
local default = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  default(err, result, ctx, config)
  local bufnr = vim.uri_to_bufnr(result.uri)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = (d.user_data and d.user_data.lsp) or {}
    table.insert(list, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col, severity = d.severity,
      message = d.message, source = d.source, code = d.code or lsp.code })
  end
  finish({ diagnostics = list, lsp_start = vim.lsp.start ~= nil })
end
vim.defer_fn(function() finish({ error = 'no diagnostics within 20s' }) end, 20000)
`;

const work = mkdtempSync(join(tmpdir(), 'tagline-nvim-'));
after(() => rmSync(work, { recursive: true, force: true }));

test("Neovim (headless) with the README's snippet in init.lua attaches the server and reports the same diagnostics as the stdio client", async () => {
  const probe = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    assert.fail('nvim is not installed: install the Debian package "neovim" (apt-get install -y neovim); CI installs it');
  }
  const file = join(work, 'mixed.yaml');
  const out = join(work, 'diagnostics.json');
  writeFileSync(file, FIXTURE);
  writeFileSync(join(work, 'init.lua'), HARNESS_LUA + readmeSnippet());
  // `tagline-language-server` as `npm install -g` would put it on PATH.
  mkdirSync(join(work, 'bin'));
  writeFileSync(join(work, 'bin', 'tagline-language-server'), `#!/bin/sh\nexec node ${JSON.stringify(SERVER)} "$@"\n`);
  chmodSync(join(work, 'bin', 'tagline-language-server'), 0o755);

  const nvim = spawn('nvim', ['--headless', '-u', join(work, 'init.lua'), '-i', 'NONE', file], {
    cwd: work, env: { ...process.env, TAGLINE_OUT: out, PATH: `${join(work, 'bin')}:${process.env.PATH}` }, stdio: 'ignore',
  });
  const timer = setTimeout(() => nvim.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((r) => nvim.once('exit', r));
  clearTimeout(timer);
  assert.equal(code, 0, 'nvim exited abnormally');
  const result = JSON.parse(readFileSync(out, 'utf8')) as { error?: string; diagnostics: Record<string, unknown>[]; lsp_start: boolean };
  assert.equal(result.error, undefined);
  const version = /NVIM v(\d+)\.(\d+)/.exec(probe.stdout)!;
  // Which branch of the snippet ran: start_client on 0.7, vim.lsp.start from 0.8.
  assert.equal(result.lsp_start, Number(version[1]) > 0 || Number(version[2]) >= 8);

  const client = new TestServer();
  try {
    await client.initialize();
    const expected = await client.open(pathToFileURL(file).href, FIXTURE);
    assert.ok(expected.length > 0);
    assert.deepEqual(result.diagnostics, expected.map((d) => ({
      lnum: d.range.start.line, col: d.range.start.character, end_lnum: d.range.end.line, end_col: d.range.end.character,
      severity: d.severity, message: d.message, source: d.source, code: d.code,
    })));
  } finally {
    await client.stop();
  }
});
