/**
 * Builds the roots of a workspace with the kustomize module and keeps the results; a change rebuilds only the
 * roots that read a changed file (or whose folder holds it, since Flux generates a kustomization listing the
 * folder's files when there is none).
 */
import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KustomizeBuilder } from './pool';
import type { KustomizeResponse } from './protocol';
import { findRoots, type FluxKustomization, type Root, type RootFile } from './roots';
import { kustomizationVars, varsSource, type KustomizationVars, type VarsSource } from './vars';

export interface RootBuild {
  root: Root;
  response: KustomizeResponse;
  vars?: KustomizationVars;
}

export interface WorkspaceBuild {
  builds: RootBuild[];
  /** Flux Kustomizations whose `spec.path` is not a folder of the workspace. */
  unresolved: FluxKustomization[];
}

function sourcesOf(files: RootFile[]): VarsSource[] {
  const out: VarsSource[] = [];
  for (const file of files) {
    if (!/\bkind:\s*(ConfigMap|Secret)\b/.test(file.text)) continue;
    for (const doc of parseAllDocuments(file.text)) {
      const source = doc.errors.length ? undefined : varsSource(doc.toJS());
      if (source) out.push(source);
    }
  }
  return out;
}

function underFolder(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}

export class KustomizeBuilds {
  private readonly files = new Map<string, string>();
  private readonly results = new Map<string, RootBuild>();
  private readonly changed = new Set<string>();
  /** Roots whose build did not finish (timeout, crash), and those of them to build again at the next build(). */
  private readonly unfinished = new Set<string>();
  private readonly retry = new Set<string>();

  constructor(private readonly module: KustomizeBuilder, private readonly limit: string) {}

  /** Records the workspace files (POSIX absolute paths); null removes one. */
  setFiles(files: Record<string, string | null>): void {
    for (const [path, text] of Object.entries(files)) {
      if (text === null ? !this.files.has(path) : this.files.get(path) === text) continue;
      if (text === null) this.files.delete(path);
      else this.files.set(path, text);
      this.changed.add(path);
    }
  }

  /** Builds the roots whose last build did not finish again at the next build() (after the budget was raised). */
  retryUnfinished(): void {
    for (const id of this.unfinished) this.retry.add(id);
  }

  /**
   * A build that did not finish (the module's timeout, or a crash) is that root's error. The files it covers stay
   * covered (those the last build read, else those below its folder), so they do not fall back to raw validation.
   */
  private failed(root: Root, err: unknown, previous: RootBuild | undefined): KustomizeResponse {
    const read = previous?.response.read ?? [...this.files.keys()].filter((path) => underFolder(path, root.path));
    return { objects: [], warnings: [], read, kustomizations: previous?.response.kustomizations ?? [], patches: previous?.response.patches ?? [], unmatched: [], error: err instanceof Error ? err.message : String(err) };
  }

  /** Builds what the recorded changes touch and returns every root's latest result. */
  async build(): Promise<WorkspaceBuild> {
    const changed = [...this.changed];
    this.changed.clear();
    const upload: Record<string, string | null> = {};
    for (const path of changed) upload[path] = this.files.get(path) ?? null;
    await this.module.setFiles(upload);

    const files = [...this.files].map(([path, text]) => ({ path, text }));
    const { roots, unresolved } = findRoots(files, this.limit);
    const sources = roots.some((r) => r.flux) ? sourcesOf(files) : [];
    const keep = new Set<string>();
    const stale: { root: Root; vars?: KustomizationVars }[] = [];
    for (const root of roots) {
      keep.add(root.id);
      const vars = root.flux ? kustomizationVars(root.flux.object, root.flux.namespace, sources) : undefined;
      const previous = this.results.get(root.id);
      const fresh = previous && previous.root.path === root.path
        && JSON.stringify(previous.root.flux?.object) === JSON.stringify(root.flux?.object)
        && JSON.stringify(previous.vars) === JSON.stringify(vars)
        && !this.retry.has(root.id)
        && !changed.some((path) => previous.response.read.includes(path) || underFolder(path, root.path));
      if (!fresh) stale.push({ root, vars });
    }
    this.retry.clear();
    // All at once: a pool of modules builds them in parallel, a single module one after the other.
    await Promise.all(stale.map(async ({ root, vars }) => {
      const previous = this.results.get(root.id);
      this.unfinished.delete(root.id);
      const response = await this.module.build({ path: root.path, kustomization: root.flux?.object, vars: vars?.vars })
        .catch((err: unknown) => (this.unfinished.add(root.id), this.failed(root, err, previous)));
      this.results.set(root.id, { root, response, vars });
    }));
    for (const id of [...this.results.keys()]) if (!keep.has(id)) this.results.delete(id);

    // A kustomization folder that another root's build loaded (a folder Flux's generated kustomization lists)
    // is not a root of its own.
    const loadedElsewhere = new Set<string>();
    for (const { root, response } of this.results.values()) {
      for (const kfile of response.kustomizations) if (posix.dirname(kfile) !== root.path) loadedElsewhere.add(posix.dirname(kfile));
    }
    const order = new Map(roots.map((root, at) => [root.id, at]));
    const builds = [...this.results.values()].filter((b) => b.root.flux || !loadedElsewhere.has(b.root.path))
      .sort((a, b) => order.get(a.root.id)! - order.get(b.root.id)!);
    return { builds, unresolved };
  }
}
