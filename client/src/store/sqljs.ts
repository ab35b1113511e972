// Loads sql.js (SQLite compiled to WebAssembly: no native module to rebuild per Electron version).
// The .wasm file sits next to the bundle in dist/ (esbuild.mjs copies it) and in node_modules in dev and tests.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import initSqlJs from 'sql.js';

export type SqlJs = Awaited<ReturnType<typeof initSqlJs>>;
export type SqlDatabase = InstanceType<SqlJs['Database']>;

const loaded = new Map<string, Promise<SqlJs>>();

export function findSqlWasm(explicit?: string): string {
  const candidates = explicit
    ? [explicit]
    : [join(__dirname, 'sql-wasm.wasm'), resolve('node_modules/sql.js/dist/sql-wasm.wasm'), wasmFromPackage()];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) throw new Error(`sql.js WebAssembly not found (looked in ${candidates.filter(Boolean).join(', ')})`);
  return found;
}

function wasmFromPackage(): string | undefined {
  try {
    return require.resolve('sql.js/dist/sql-wasm.wasm');
  } catch {
    return undefined;
  }
}

export function loadSqlJs(wasmPath?: string): Promise<SqlJs> {
  const path = findSqlWasm(wasmPath);
  let pending = loaded.get(path);
  if (!pending) {
    const wasmBinary = readFileSync(path);
    pending = initSqlJs({ wasmBinary: wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) as ArrayBuffer });
    loaded.set(path, pending);
  }
  return pending;
}
