// Benchmark: Tagline's language server against Red Hat's yaml-language-server (npm), both driven over stdio by
// the same JSON-RPC client in the same run, on a generated file of 2,000 documents (~50,000 lines): ImageRepositories,
// ImagePolicies, Secrets and Deployments with image-update markers, flow values and anchors.
// Measures time from didOpen to the first publishDiagnostics, and from a one-character edit to the diagnostics
// of that edit. Prints medians and two ratios: as a person sees it, and with yaml-language-server's built-in
// 200 ms wait before it validates an opened or changed document (`validationDelayMs`, yaml-language-server
// src/yamlSettings.ts; Tagline has none) taken off its times. The README quotes the first (what a person sees)
// and names the second. `npm run bench:lsp` builds first. BENCH_LSP_AGAINST=<folder> measures the Tagline build in
// <folder>/dist/server.js in yaml-language-server's place (before/after a change, same run, same load).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench/.work');
// Document URIs (opened with their text, never read from disk) outside any dot-folder: yaml-language-server
// matches schema globs with picomatch, which skips dot-folders such as bench/.work.
const DOCS = join(tmpdir(), 'tagline-bench');
const DOCUMENTS = 2000;
const OPEN_RUNS = Number(process.env.BENCH_OPEN_RUNS ?? 5);
const EDIT_RUNS = Number(process.env.BENCH_EDIT_RUNS ?? 30);
/** yaml-language-server's validationDelayMs (lib/umd/yamlSettings.js): it validates 200 ms after an open or a change. */
const YLS_DELAY_MS = 200;

// ---- the workload ------------------------------------------------------------------------------------------
function imageRepository(i) {
  const broken = i % 10 === 0;
  return `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: app-${i}
  namespace: team-${i % 20}
  labels:
    app.kubernetes.io/name: app-${i}
    app.kubernetes.io/part-of: bench
  annotations:
    reconcile.fluxcd.io/requestedAt: "2026-01-01T00:00:00Z"
spec:
  image: ghcr.io/acme/app-${i}
  interval: ${broken ? '1d' : '5m'}
  timeout: 60s
  provider: generic
  secretRef:
    name: regcred
  exclusionList:
    - "^.*\\\\.sig$"
    - "^sha256-"
    - "-rc\\\\.[0-9]+$"
  accessFrom:
    namespaceSelectors:
      - matchLabels:
          team: t${i % 20}
  suspend: false
`;
}

function deployment(i) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
  namespace: team-${i % 20}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web-${i}
  template:
    metadata:
      labels:
        app: web-${i}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web-${i}:1.0.${i} # {"$imagepolicy": "team-${i % 20}:app-${i - 1}"}
          args: ["--port", "8080"]
          ports:
            - containerPort: 8080
          resources:
            limits: {cpu: 500m, memory: 256Mi}
          env: &env
            - name: MODE
              value: production
            - name: TAG
              # {"$imagepolicy": "team-${i % 20}:app-${i - 1}:tag"}
              value: "1.0.${i}"
        - name: sidecar
          image: ghcr.io/acme/sidecar:2.0.0
          env: *env
`;
}

function imagePolicy(i) {
  return `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: app-${i - 1}
  namespace: team-${i % 20}
spec:
  imageRepositoryRef:
    name: app-${i - 1}
    namespace: team-${(i - 1) % 20}
  filterTags:
    pattern: '^main-(?P<ts>[0-9]+)$'
    extract: '$ts'
  policy:
    numerical:
      order: asc
`;
}

function secret(i) {
  return `apiVersion: v1
kind: Secret
metadata:
  name: regcred
  namespace: team-${Math.floor(i / 10) % 20}
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6eyJnaGNyLmlvIjp7ImF1dGgiOiJlQT09In19fQ==
`;
}

function workload() {
  const docs = [];
  for (let i = 0; i < DOCUMENTS; i++) {
    docs.push(i % 2 === 0 ? imageRepository(i) : i % 5 === 1 ? secret(i) : i % 5 === 3 ? imagePolicy(i) : deployment(i));
  }
  return docs.join('---\n');
}

/** The same schema yaml-language-server gets: ours, applied only to ImageRepository documents. */
function equivalentSchema() {
  const ours = JSON.parse(readFileSync(join(ROOT, 'schemas/imagerepository-v1.json'), 'utf8'));
  const { definitions, $schema: _s, $id: _i, ...imageRepository } = ours;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    definitions: { ...definitions, imageRepository },
    if: { required: ['apiVersion', 'kind'], properties: { apiVersion: { pattern: '^image\\.toolkit\\.fluxcd\\.io/' }, kind: { const: 'ImageRepository' } } },
    then: { $ref: '#/definitions/imageRepository' },
  };
}

// ---- one server behind one client --------------------------------------------------------------------------
class Client {
  constructor(name, command, args, yamlSettings) {
    this.name = name;
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin));
    this.waiters = [];
    this.connection.onNotification('textDocument/publishDiagnostics', (params) => {
      const now = performance.now();
      for (const w of [...this.waiters]) {
        if (w.uri === params.uri) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve({ at: now, count: params.diagnostics.length });
        }
      }
    });
    this.connection.onRequest('workspace/configuration', (p) => p.items.map((item) => (item.section === 'yaml' ? yamlSettings : item.section === 'tagline' ? {} : null)));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification(() => undefined);
    this.connection.listen();
    this.yamlSettings = yamlSettings;
  }

  async start() {
    await this.connection.sendRequest('initialize', {
      processId: process.pid, rootUri: null, workspaceFolders: null,
      capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, textDocument: { publishDiagnostics: {} } },
    });
    await this.connection.sendNotification('initialized', {});
    if (this.yamlSettings) await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { yaml: this.yamlSettings } });
  }

  next(uri) {
    return new Promise((resolve) => this.waiters.push({ uri, resolve }));
  }

  async open(uri, text) {
    const next = this.next(uri);
    const start = performance.now();
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const { at, count } = await next;
    return { ms: at - start, count };
  }

  async edit(uri, version, range, text) {
    const next = this.next(uri);
    const start = performance.now();
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    const { at, count } = await next;
    return { ms: at - start, count };
  }

  async close(uri) {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async stop() {
    await Promise.race([this.connection.sendRequest('shutdown').catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    await this.connection.sendNotification('exit').catch(() => undefined);
    this.connection.dispose();
    if (this.child.exitCode === null) this.child.kill();
  }
}

/** CPU time (user + system, ms) the process has used so far, from Linux's /proc; undefined elsewhere. */
function cpuMs(pid) {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function measure(client, text, editLine) {
  // Warm-up: schema loading, JIT.
  const warm = pathToFileURL(join(DOCS, `warm-${client.name}.yaml`)).href;
  await client.open(warm, text);
  await client.close(warm);
  const opens = [];
  let count = 0;
  for (let run = 0; run < OPEN_RUNS; run++) {
    const uri = pathToFileURL(join(DOCS, `open-${client.name}-${run}.yaml`)).href;
    const r = await client.open(uri, text);
    opens.push(r.ms);
    count = r.count;
    await client.close(uri);
  }
  const uri = pathToFileURL(join(DOCS, `edit-${client.name}.yaml`)).href;
  await client.open(uri, text);
  const edits = [];
  let editCount = 0;
  const cpuBefore = cpuMs(client.child.pid);
  // Alternately insert and delete one character in an interval value in the middle of the file.
  for (let run = 0; run < EDIT_RUNS; run++) {
    const at = { line: editLine, character: 13 };
    const r = run % 2 === 0
      ? await client.edit(uri, run + 2, { start: at, end: at }, '1')
      : await client.edit(uri, run + 2, { start: at, end: { line: editLine, character: 14 } }, '');
    edits.push(r.ms);
    editCount = r.count;
  }
  const cpuAfter = cpuMs(client.child.pid);
  const editCpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / EDIT_RUNS;
  await client.close(uri);
  return { open: median(opens), edit: median(edits), count, editCount, opens, edits, editCpu };
}

async function main() {
  const loadAtStart = loadavg().map((x) => x.toFixed(2)).join(' ');
  mkdirSync(WORK, { recursive: true });
  const text = workload();
  const lines = text.split('\n');
  writeFileSync(join(WORK, 'workload.yaml'), text);
  const schemaPath = join(WORK, 'imagerepository-equivalent.json');
  writeFileSync(schemaPath, JSON.stringify(equivalentSchema(), null, 2));
  // The `interval:` line of an ImageRepository near the middle of the file.
  const editLine = lines.findIndex((l, i) => i > lines.length / 2 && l.startsWith('  interval: 5m'));
  console.log(`workload: ${DOCUMENTS} documents, ${lines.length} lines, ${(text.length / 1024).toFixed(0)} KiB; edit at line ${editLine + 1}`);

  const tagline = new Client('tagline', process.execPath, [join(ROOT, 'dist/server.js'), '--stdio']);
  const yamlSettings = {
    validate: true, hover: false, completion: false, format: { enable: false },
    schemas: { [pathToFileURL(schemaPath).href]: ['*.yaml'] }, schemaStore: { enable: false }, keyOrdering: false,
  };
  const against = process.env.BENCH_LSP_AGAINST;
  const redhat = against
    ? new Client(`tagline@${against}`, process.execPath, [join(resolve(against), 'dist/server.js'), '--stdio'])
    : new Client('yaml-language-server', process.execPath,
      [join(ROOT, 'node_modules/yaml-language-server/bin/yaml-language-server'), '--stdio'], yamlSettings);
  try {
    await Promise.all([tagline.start(), redhat.start()]);
    const ours = await measure(tagline, text, editLine);
    const theirs = await measure(redhat, text, editLine);
    const row = (name, r) => `${name.padEnd(22)} first diagnostics ${r.open.toFixed(1).padStart(8)} ms   edit → diagnostics ${r.edit.toFixed(1).padStart(8)} ms   (${r.count} diagnostics)`;
    console.log(row('tagline', ours));
    console.log(row(redhat.name, theirs));
    if (ours.editCpu !== undefined) console.log(`CPU time per edit (server process): tagline ${ours.editCpu.toFixed(1)} ms, ${redhat.name} ${theirs.editCpu.toFixed(1)} ms`);
    const load = loadavg().map((x) => x.toFixed(2)).join(' ');
    console.log(`${new Date().toISOString()} · ${cpus().length} cores · load average ${load} at the end (${loadAtStart} at the start)`);
    if (against) {
      console.log(`this build against ${against}: first diagnostics ${(theirs.open / ours.open).toFixed(2)}×, edit → diagnostics ${(theirs.edit / ours.edit).toFixed(2)}× (above 1: this build is faster)`);
      return;
    }
    console.log(`first diagnostics (median of ${OPEN_RUNS}): tagline is ${(theirs.open / ours.open).toFixed(1)}× faster as a person sees it (target ≥ 5×); `
      + `${((theirs.open - YLS_DELAY_MS) / ours.open).toFixed(1)}× without yaml-language-server's ${YLS_DELAY_MS} ms wait`);
    console.log(`edit → diagnostics (median of ${EDIT_RUNS}): tagline ${ours.edit.toFixed(1)} ms (target < 30 ms); yaml-language-server ${theirs.edit.toFixed(1)} ms, `
      + `${(theirs.edit / ours.edit).toFixed(1)}× as a person sees it, ${((theirs.edit - YLS_DELAY_MS) / ours.edit).toFixed(1)}× without its ${YLS_DELAY_MS} ms wait`);
    if (theirs.count === 0) console.log('warning: yaml-language-server reported no diagnostics; its schema may not have applied');
  } finally {
    await Promise.all([tagline.stop(), redhat.stop()]);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
