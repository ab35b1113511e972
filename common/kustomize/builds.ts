/**
 * Builds the roots of a workspace with the kustomize module and keeps the results; a change rebuilds only the
 * roots that read a changed file (or whose folder holds it, since Flux generates a kustomization listing the
 * folder's files when there is none). Roots with the same input build once (builtRoots.ts: hmcts builds the same
 * app for many clusters).
 */
import { parseAllDocuments } from 'yaml';
import type { KustomizeBuilder } from './pool';
import type { KustomizeResponse } from './protocol';
import { builtRoots, buildSpec, effectiveVars, type RootBuild, type WorkspaceBuild } from './builtRoots';
import { findRoots, folderSet, type Root } from './roots';
import { varsSource, type KustomizationVars, type VarsSource } from './vars';

export type { RootBuild, WorkspaceBuild } from './builtRoots';

function sourcesOf(files: { path: string; text: string }[]): VarsSource[] {
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

/** One build kept: the variables it substituted, and which of their names the files it read mention. */
interface KeptBuild {
  path: string;
  vars: Record<string, string>;
  response: Promise<KustomizeResponse>;
  /** Whether a variable name appears in the files the build read or in its build spec (memo). */
  mentions: Map<string, boolean>;
  used: boolean;
  /** The build did not finish (the module's timeout, or a crash): retryUnfinished() builds it again. */
  unfinished?: boolean;
}

export class KustomizeBuilds {
  private readonly files = new Map<string, string>();
  /** Builds by folder and build spec (buildSpec); several per key when their variables differ where it matters. */
  private readonly kept = new Map<string, KeptBuild[]>();
  private readonly changed = new Set<string>();
  /** Whether the next build() builds again the kept builds that did not finish (timeout, crash). */
  private retry = false;
  /** How many builds the module was asked for since this object was made. */
  builds = 0;

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
    this.retry = true;
  }

  /**
   * A build that did not finish (the module's timeout, or a crash) is that root's error. The files it covers stay
   * covered (those the last build read, else those below its folder), so they do not fall back to raw validation.
   */
  private failed(root: Root, err: unknown, previous: KustomizeResponse | undefined): KustomizeResponse {
    const read = previous?.read ?? [...this.files.keys()].filter((path) => underFolder(path, root.path));
    return { objects: [], warnings: [], read, kustomizations: previous?.kustomizations ?? [], patches: previous?.patches ?? [], unmatched: [], error: err instanceof Error ? err.message : String(err) };
  }

  /**
   * Whether a kept build stands for a build with `vars`: substitution replaces only the names the built text holds,
   * so variables no file it read mentions (and that its spec does not) may differ. A name that a file mentions only
   * inside a longer name counts too: being wrong that way costs a build, never a wrong result.
   */
  private async matches(kept: KeptBuild, key: string, vars: Record<string, string>): Promise<boolean> {
    const response = await kept.response;
    if (response.error) return JSON.stringify(kept.vars) === JSON.stringify(vars);
    for (const name of new Set([...Object.keys(kept.vars), ...Object.keys(vars)])) {
      if (kept.vars[name] === vars[name]) continue;
      let mentioned = kept.mentions.get(name);
      if (mentioned === undefined) {
        mentioned = key.includes(name) || response.read.some((path) => this.files.get(path)?.includes(name));
        kept.mentions.set(name, mentioned);
      }
      if (mentioned) return false;
    }
    return true;
  }

  /** Builds a root, or gives the kept build of the same input. */
  private async buildRoot(root: Root, vars: KustomizationVars | undefined, previous: Map<string, KustomizeResponse>): Promise<KustomizeResponse> {
    const key = JSON.stringify([root.path, buildSpec(root.flux?.object)]);
    const wanted = effectiveVars(root.flux?.object, vars);
    const list = this.kept.get(key) ?? [];
    this.kept.set(key, list);
    // One at a time per key: the first build says which variables matter to the next.
    for (let at = 0; at <= list.length; at++) {
      if (at === list.length) {
        // The catch runs after `kept` is assigned (a promise settles asynchronously).
        let kept!: KeptBuild;
        const response = this.module.build({ path: root.path, kustomization: root.flux?.object, vars: vars?.vars })
          .catch((err: unknown) => ((kept.unfinished = true), this.failed(root, err, previous.get(key))));
        kept = { path: root.path, vars: wanted, mentions: new Map(), used: true, response };
        list.push(kept);
        this.builds++;
        return kept.response;
      }
      if (await this.matches(list[at], key, wanted)) {
        list[at].used = true;
        return list[at].response;
      }
    }
    throw new Error('unreachable');
  }

  /** Builds what the recorded changes touch and returns every root's latest result. */
  async build(): Promise<WorkspaceBuild> {
    const changed = [...this.changed];
    this.changed.clear();
    const upload: Record<string, string | null> = {};
    for (const path of changed) upload[path] = this.files.get(path) ?? null;
    await this.module.setFiles(upload);

    // Kept builds that read a changed file (or whose folder holds one) are built again; the last one of each key
    // stays as `previous` for a build that then fails.
    const previous = new Map<string, KustomizeResponse>();
    for (const [key, list] of this.kept) {
      const fresh: KeptBuild[] = [];
      for (const kept of list) {
        const response = await kept.response;
        if ((this.retry && kept.unfinished) || changed.some((path) => response.read.includes(path) || underFolder(path, kept.path))) previous.set(key, response);
        else fresh.push({ ...kept, used: false });
      }
      this.kept.set(key, fresh);
    }
    this.retry = false;

    const files = [...this.files].map(([path, text]) => ({ path, text }));
    const { roots, unresolved } = findRoots(files, this.limit);
    const result = await builtRoots({
      roots, unresolved, files, folders: folderSet(files), limit: this.limit, sources: sourcesOf(files),
      build: (root, vars) => this.buildRoot(root, vars, previous),
    });
    for (const [key, list] of this.kept) {
      const used = list.filter((kept) => kept.used);
      if (used.length > 0) this.kept.set(key, used);
      else this.kept.delete(key);
    }
    return result;
  }
}
