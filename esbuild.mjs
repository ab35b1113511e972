// Builds one small CommonJS bundle per entry point; the sql.js and kustomize WebAssembly files are copied beside them.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { copyKustomizeWasm } from './scripts/kustomize-wasm.mjs';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
};

mkdirSync('dist', { recursive: true });
await Promise.all([
  build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js' }),
  build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['cli/tagline.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['common/kustomize/worker.ts'], outfile: 'dist/kustomize-worker.js' }),
]);
copyFileSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');
copyKustomizeWasm('dist');
