// The arrows of docs/architecture.md, read from the import graph: common/ <- clients (registry, store,
// reconciler) and the language server <- the VS Code adapter and the CLI. Both rules are easy to break by one
// convenient import, so they are checked here rather than only described.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
const sourceRoots = ['common', 'client/src', 'server/src', 'cli'];

/** Folders whose modules may import `vscode`: the extension host's adapter. */
const adapter = ['client/src', 'client/src/commands', 'client/src/host', 'client/src/lsp', 'client/src/status', 'client/src/views'];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = relative(root, resolve(root, dirname(from), specifier));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    try {
      if (statSync(join(root, candidate)).isFile()) return candidate;
    } catch {
      // not this candidate
    }
  }
  throw new Error(`${from}: cannot resolve ${specifier}`);
}

interface Module { path: string; packages: string[]; files: string[] }

/** `import … from 'x'`, `export … from 'x'`, `import 'x'` and `import('x')`, each at the start of a statement or a call. */
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

const modules: Module[] = sourceRoots.flatMap(sourceFiles).map((path) => {
  const specifiers = importSpecifiers(readFileSync(join(root, path), 'utf8'));
  return {
    path,
    packages: specifiers.filter((s) => !s.startsWith('.')),
    files: specifiers.map((s) => resolveImport(path, s)).filter((f): f is string => f !== undefined),
  };
});

/**
 * The package a file belongs to: a top-level folder of client/src or server/src (subfolders such as
 * registry/auth/ are part of their package), common/flux, common/manifests, common itself, or cli.
 */
function packageOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'cli') return 'cli';
  if (parts[0] === 'common') return parts.length > 2 ? `common/${parts[1]}` : 'common';
  return parts.length > 3 ? parts.slice(0, 3).join('/') : parts.slice(0, 2).join('/');
}

describe('architecture: the import graph', () => {
  it('has modules to check', () => {
    assert.ok(modules.length > 50, `only ${modules.length} modules found`);
  });

  it('imports vscode only in the VS Code adapter', () => {
    const offenders = modules
      .filter((m) => m.packages.some((p) => p === 'vscode' || p.startsWith('vscode-languageclient')))
      .filter((m) => !adapter.includes(packageOf(m.path)))
      .map((m) => m.path);
    assert.deepEqual(offenders, []);
  });

  it('imports cli/ only from cli/', () => {
    const offenders = modules
      .filter((m) => !m.path.startsWith('cli/') && m.files.some((f) => f.startsWith('cli/')))
      .map((m) => m.path);
    assert.deepEqual(offenders, []);
  });

  it('keeps common/ free of the processes that use it', () => {
    const offenders = modules
      .filter((m) => m.path.startsWith('common/') && m.files.some((f) => !f.startsWith('common/') && !f.startsWith('schemas/')))
      .map((m) => m.path);
    assert.deepEqual(offenders, []);
  });

  it('has no import cycle between packages', () => {
    const edges = new Map<string, Set<string>>();
    for (const m of modules) {
      const from = packageOf(m.path);
      for (const f of m.files) {
        const to = packageOf(f);
        if (to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const cycles: string[] = [];
    const visiting: string[] = [];
    const done = new Set<string>();
    const visit = (node: string) => {
      if (done.has(node)) return;
      const at = visiting.indexOf(node);
      if (at >= 0) {
        cycles.push([...visiting.slice(at), node].join(' -> '));
        return;
      }
      visiting.push(node);
      for (const next of edges.get(node) ?? []) visit(next);
      visiting.pop();
      done.add(node);
    };
    for (const node of [...edges.keys()].sort()) visit(node);
    assert.deepEqual(cycles, []);
  });
});
