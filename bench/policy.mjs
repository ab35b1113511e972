// Speed of ImagePolicy evaluation (issue 11, "Benchmark"): 1,000 ImagePolicies over 1,000 stored tags each
// (semver ranges, alphabetical and numerical with filterTags/extract, as real repositories mix them), evaluated
//   1. cold: fresh process caches (version parses, compiled ranges and patterns);
//   2. after a one-tag change: one repository gains a tag and its policies are evaluated again, and all 1,000
//      are evaluated again (what a full re-evaluation after any change would cost).
// Prints the time per policy. Run with `npm run bench:policy`.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/cjs/api';

register();
const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { applyPolicy } = require(join(root, 'common/flux/policy/policies.ts'));

const REPOSITORIES = 100;
const POLICIES = 1000;
const TAGS = 1000;

function tagsFor(r) {
  const tags = [];
  for (let i = 0; tags.length < TAGS; i++) {
    const kind = i % 5;
    if (kind === 0) tags.push(`${r % 7}.${Math.floor(i / 50)}.${i % 50}`);
    else if (kind === 1) tags.push(`v${r % 3}.${Math.floor(i / 40)}.${i % 40}-rc.${i % 4}`);
    else if (kind === 2) tags.push(`main-${1_700_000_000 + i * 37}-${(i * 2654435761 >>> 0).toString(16).slice(0, 7)}`);
    else if (kind === 3) tags.push(`2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}-00-00Z-${i}`);
    else tags.push(`sha256-${(i * 40503 >>> 0).toString(16).padStart(8, '0')}${r}.sig`);
  }
  return tags;
}

function specFor(p) {
  switch (p % 4) {
    case 0: return { policy: { semver: { range: `>=${p % 7}.0.0 <${(p % 7) + 1}.0.0` } } };
    case 1: return { policy: { semver: { range: `~${p % 3}.${p % 19}.0-0 || ^${p % 3}.1` } } };
    case 2: return { policy: { numerical: { order: 'asc' } }, filterTags: { pattern: '^main-(?P<ts>[0-9]+)-[a-f0-9]+$', extract: '$ts' } };
    default: return { policy: { alphabetical: { order: p % 8 === 3 ? 'desc' : 'asc' } }, filterTags: { pattern: '^2024-.*Z' } };
  }
}

const stored = Array.from({ length: REPOSITORIES }, (_, r) => tagsFor(r));
const policies = Array.from({ length: POLICIES }, (_, p) => ({ repo: p % REPOSITORIES, spec: specFor(p) }));

function evaluate(list) {
  const started = process.hrtime.bigint();
  let selected = 0;
  for (const p of list) if (applyPolicy(p.spec, stored[p.repo]).ok) selected++;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, selected };
}

const cold = evaluate(policies);
stored[0] = [...stored[0], '0.99.0'];
const changed = policies.filter((p) => p.repo === 0);
const one = evaluate(changed);
const all = evaluate(policies);
const per = (r, n) => `${(r.ms / n).toFixed(3)} ms/policy`;
console.log(`${POLICIES} policies × ${TAGS} tags (${REPOSITORIES} repositories, ${cold.selected} select a tag)`);
console.log(`cold:                         ${cold.ms.toFixed(0)} ms total, ${per(cold, POLICIES)}`);
console.log(`one-tag change, its ${changed.length} policies: ${one.ms.toFixed(1)} ms total, ${per(one, changed.length)}`);
console.log(`one-tag change, all policies: ${all.ms.toFixed(0)} ms total, ${per(all, POLICIES)}`);
