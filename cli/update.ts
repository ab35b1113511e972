// `tagline update <files or folders...> [--db FILE] [--write]`: the automation's Setters strategy
// (image-automation-controller v1.2.0 internal/update UpdateWithSetters) on the given files, from the tags stored
// by `tagline scan` or the editor. Prints a unified diff of what the automation would commit (exit 0), or with
// --write changes the files, each atomically; only marked values change. On stderr: markers left alone and why,
// files the automation cannot read, and how its own commit would also reformat each changed file.
import { relative } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { getCondition } from '../common/flux/conditions';
import { applyEdits, digestReflectionReason, fileSetters, type PolicyLookup } from '../common/flux/markers/setters';
import { describeReformats, reformatReport } from '../common/flux/markers/reformat';
import { SCREENING_TOKEN } from '../common/flux/markers/markers';
import { parseImageReference } from '../common/flux/reference';
import { findManifestFiles, loadWorkspaceObjects } from '../common/manifests';
import { emptyStatus, objectKey, type ImagePolicyObject, type ImageRef, type WorkspaceObjects } from '../common/model';
import { applyPolicy } from '../common/flux/policy/policies';
import { PolicyEvaluator } from '../client/src/reconciler';
import { TagStore } from '../client/src/store';
import { errorMessage } from '../common/errors';
import { defaultDatabaseFile } from './scan';
import { writeFileAtomic } from './atomicWrite';
import { readFile } from 'node:fs/promises';

const USAGE = 'usage: tagline update <files or folders...> [--db FILE] [--write]';

export interface UpdateArgs { paths: string[]; db: string; write: boolean }

export function parseUpdateArgs(args: string[], env: NodeJS.ProcessEnv = process.env): UpdateArgs | string {
  const parsed: UpdateArgs = { paths: [], db: defaultDatabaseFile(env), write: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--db' || arg.startsWith('--db=')) {
      const db = arg.startsWith('--db=') ? arg.slice(5) : args[++i];
      if (!db) return '--db needs a file';
      parsed.db = db;
    } else if (arg === '--write' || arg === '-w') {
      parsed.write = true;
    } else if (arg === '-h' || arg === '--help') {
      return '';
    } else if (arg.startsWith('-')) {
      return `unknown option '${arg}'`;
    } else {
      parsed.paths.push(arg);
    }
  }
  return parsed.paths.length === 0 ? 'no files or folders given' : parsed;
}

/**
 * Each ImagePolicy of `objects` evaluated as the controller does on the stored tags, as a PolicyLookup. No
 * registry is contacted: a policy that reflects digests uses the digest stored with its result (by `tagline scan` or
 * the editor) when that result is of the same spec and tag; otherwise its markers are reported and left alone.
 */
export async function storedPolicyLookup(objects: WorkspaceObjects, store: TagStore): Promise<PolicyLookup> {
  const evaluator = new PolicyEvaluator(undefined);
  const reports = await evaluator.evaluate(objects, {
    status: (key) => {
      const repository = objects.imageRepositories.find((r) => objectKey(r.metadata) === key);
      const parsed = repository ? parseImageReference(repository.spec.image, repository.spec.insecure === true) : undefined;
      return parsed?.ok ? { ...emptyStatus(), canonicalImageName: parsed.reference.canonicalImageName } : undefined;
    },
    storedTags: (canonical) => store.imageTags(canonical),
  });
  const byKey = new Map(reports.map((r) => [objectKey(r.object.metadata), r]));
  const reflected = storedReflectedRefs(objects, reports.map((r) => r.object), store);
  return (namespace, name) => {
    const report = byKey.get(`${namespace}/${name}`);
    if (!report) return { reason: `ImagePolicy '${namespace}/${name}' is not in the given files` };
    const reflect = report.object.spec.digestReflectionPolicy;
    if (reflect === 'Always' || reflect === 'IfNotPresent') {
      const ref = reflected.get(`${namespace}/${name}`);
      return ref ? { latestRef: ref } : { reason: digestReflectionReason(namespace, name) };
    }
    if (report.status.latestRef) return { latestRef: report.status.latestRef };
    const ready = getCondition(report.status, 'Ready');
    return { reason: `ImagePolicy '${namespace}/${name}' has no latest image${ready?.message ? `: ${ready.message}` : ''}` };
  };
}

/**
 * For each policy that reflects digests, the latestRef stored with its last result (by `tagline scan` or the
 * editor, from a HEAD on the manifest), when that result is of the same spec and names the tag the policy selects
 * from the stored tags now. Read eagerly: the store is closed before the lookup is used.
 */
function storedReflectedRefs(objects: WorkspaceObjects, policies: ImagePolicyObject[], store: TagStore): Map<string, ImageRef> {
  const out = new Map<string, ImageRef>();
  for (const policy of policies) {
    const reflect = policy.spec.digestReflectionPolicy;
    if (reflect !== 'Always' && reflect !== 'IfNotPresent') continue;
    const key = objectKey(policy.metadata);
    const stored = store.policy(key);
    const ref = stored?.status.latestRef;
    if (!stored || !ref?.digest || stored.specHash !== policy.specHash) continue;
    const namespace = policy.spec.imageRepositoryRef.namespace || policy.metadata.namespace;
    const repository = objects.imageRepositories.find((r) => r.metadata.namespace === namespace && r.metadata.name === policy.spec.imageRepositoryRef.name);
    const parsed = repository ? parseImageReference(repository.spec.image, repository.spec.insecure === true) : undefined;
    if (!parsed?.ok) continue;
    const selected = applyPolicy(policy.spec, store.imageTags(parsed.reference.canonicalImageName) ?? []);
    if (selected.ok && selected.latest === ref.tag) out.set(key, ref);
  }
  return out;
}

export async function runUpdate(args: string[]): Promise<number> {
  const parsed = parseUpdateArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write((parsed ? `tagline update: ${parsed}\n` : '') + USAGE + '\n');
    return parsed ? 2 : 0;
  }
  const { objects } = await loadWorkspaceObjects(parsed.paths);
  const store = await TagStore.open({ file: parsed.db });
  let lookup: PolicyLookup;
  try {
    lookup = await storedPolicyLookup(objects, store);
  } finally {
    await store.close().catch(() => undefined);
  }
  const note = (file: string, text: string) => process.stderr.write(`tagline update: ${file}: ${text}\n`);
  let failed = false;
  for (const path of await findManifestFiles(parsed.paths)) {
    const text = await readFile(path, 'utf8');
    if (!text.includes(SCREENING_TOKEN)) continue;
    const shown = relative(process.cwd(), path) || path;
    const result = fileSetters(text, lookup);
    if (result.problem !== undefined) {
      note(shown, `not read, as the automation would not read it: ${result.problem}`);
      continue;
    }
    for (const { marker, reason } of result.skipped) {
      const line = text.slice(0, marker.valueRange[0]).split('\n').length;
      note(shown, `line ${line}: left alone (${marker.setter}): ${reason}`);
    }
    if (result.edits.length === 0) continue;
    const updated = applyEdits(text, result.edits);
    const reformat = reformatReport(text);
    if (reformat.length > 0) note(shown, `the automation's own commit would also reformat this file: ${describeReformats(reformat)}`);
    if (parsed.write) {
      try {
        await writeFileAtomic(path, updated);
      } catch (err) {
        note(shown, `not written: ${errorMessage(err)}`);
        failed = true;
      }
    } else {
      process.stdout.write(createTwoFilesPatch(`a/${shown}`, `b/${shown}`, text, updated, undefined, undefined, { context: 3 }).replace(/^=+\n/, ''));
    }
  }
  return failed ? 1 : 0;
}
