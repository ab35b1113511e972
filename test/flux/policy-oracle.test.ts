// Differential test of Tagline's ImagePolicy selection (common/flux/policy applyPolicy) against the controller's
// own internal/policy package, asked through test/oracle/policy (built inside image-reflector-controller v1.2.0's
// module by scripts/go-build.mjs). For each policy kind, 10,000 seeded inputs: a policy (valid and invalid
// ranges and orders), often a filterTags pattern with an extract template, and a tag list mixing real-world
// shapes, their mutations and random strings. The selected tag or the error text must be the controller's.
// RegexFilter.Items ranges over a Go map, so where values tie the controller's own choice varies from run to run;
// Tagline takes the values in the order of their first appearance, one of the orders the map can produce, and
// the oracle runs the controller's Latest on that same order: the outcome must be identical, and so must the
// filtered values and the tag each came from. The test also counts how many inputs the controller itself would
// answer differently in another order. A failure prints the seed: TAGLINE_ORACLE_SEED=<seed> replays it.
import { after, before, describe, it } from 'node:test';
import { applyPolicy, applyRegexFilter, newRegexFilter, type ImagePolicyChoice, type TagFilter } from '../../common/flux/policy';
import { compare, Gen, OracleClient, PER_KIND, random, SEED } from './oracleClient';

let oracle: OracleClient;

before(() => {
  oracle = new OracleClient('flux-policy-oracle');
});

after(() => {
  oracle?.stop();
});

interface Outcome { ok: boolean; latest?: string; error?: string; invalidPolicy?: boolean; noTags?: boolean }
interface Input { policy: ImagePolicyChoice; filterTags?: TagFilter; tags: string[] }

const TAG_SHAPES = [
  '1.0.0', '1.0.1', '1.1.0', '1.2.0', '1.10.0', '2.0.0', '2.0.1-rc.1', '2.0.1-rc.2', '2.0.1', 'v1.2.3', 'v2.0.0', 'V1.2.3', '1.2', '1', 'v1',
  '1.2.3+build.5', '1.2.3+build.6', '1.2.3-alpha', '1.2.3-alpha.1', '1.2.3-beta', '1.2.3-0', '01.2.3', '1.2.3.4', 'latest', 'main', 'stable', 'dev',
  `main-3f2a9c1`, 'main-8d41b0e', `main-3f2a9c1-1712345678`, 'main-8d41b0e-1712349999', 'feature-x-1712340000', 'rel-1606234201', '1606364286',
  '1606334092', '2024.01.15', '2024.1.15', '20240115', '2021-01-08T21-18-21Z', '2023-05-08T00-20-00Z', 'xenial', 'bionic', 'zesty', '16.04', '20.10',
  `sha256-${'a'.repeat(64)}.sig`, `sha256-${'b'.repeat(64)}.att`, 'build-7', 'build-10', 'build-010', 'RC1', '1.0', '1.00', '1e3', '+7', '-3', '0x1p4',
  '1_000', '0x10', 'Inf', '-inf', 'NaN', 'nan', '.5', '5.', '1e400', '-0', '0', '9007199254740993', '18446744073709551616.0.0',
];
const TAG_ALPHABET = '0123456789.-_vV+abcrxZeE';

const RANGE_SHAPES = [
  '>=1.0.0', '>=1.0', '^1.2.3', '~1.2.3', '~1', '1.x', '*', '', '>=1.0.0-0', '>=2.0.0-rc.1', '>1.2.3-beta.2 <2', '^1.2.3-rc.1', '>= 1.2, < 3.0.0 || >= 4.2.3',
  '1.2 - 3.4.5', '!=1.2.3', '<1.0.0-0', '>=v1.2.3', '1.2.3 || 2.x', '>= 0.0.0-0', '*-*', '>=1.0.0 !=1.0.5', 'latest', '>=1.0.0 <2.0.0-0', '=1.2.3+build.5',
];
const RANGE_ALPHABET = '0123456789.xX*^~<>=!|, -vV+abr';
const ORDERS = ['asc', 'desc', 'ASC', 'DESC', 'Asc', '', 'ascending', 'dEsC', 'ß'];

const FILTERS: TagFilter[] = [
  { pattern: '^v(?P<v>.*)$', extract: '$v' },
  { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)', extract: '$ts' },
  { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)', extract: '${ts}' },
  { pattern: '^(?P<n>[0-9.]+)', extract: '$n' },
  { pattern: '^(\\d+)\\.(\\d+)', extract: '$2' },
  { pattern: '^build-(\\d+)$', extract: '$1' },
  { pattern: '^rel-(?P<ts>.*)', extract: 'x$1y' },
  { pattern: '.*', extract: '' },
  { pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$', extract: '' },
  { pattern: '-rc', extract: '' },
  { pattern: '(?P<x>a)|(?P<x>b)', extract: '$x' },
  { pattern: '^(?P<maj>\\d+)\\.(?P<min>\\d+)', extract: '$maj.$min.0' },
  { pattern: '^v?(?P<v>\\d.*)', extract: '$$v' },
  { pattern: '^v?(?P<v>\\d.*)', extract: '$1x' },
  { pattern: '^v?(?P<v>\\d.*)', extract: '$0' },
  { pattern: '(?i)LATEST|stable', extract: '' },
  { pattern: '^main-(', extract: '' },
  { pattern: '[[:alpha:]]+', extract: '${0}' },
  { pattern: '\\pL+', extract: '$9' },
];
const PATTERN_ALPHABET = 'abcv019.*+?()[]{}|^$\\-:<>P_d';

function tagList(gen: Gen, numeric: boolean): string[] {
  const count = gen.int(4) === 0 ? gen.int(3) : 1 + gen.int(16);
  return Array.from({ length: count }, () => {
    const roll = gen.int(10);
    if (numeric && roll < 7) return gen.pick(['1', '2', '10', '1.5', '1.50', '007', '1e3', '1000', '+7', '-3', '.5', '0x1p4', '1_000', 'Inf', '-Inf', 'NaN', '1712345678', '1712349999', '2.0', '1e-3']);
    if (roll < 6) return gen.pick(TAG_SHAPES);
    if (roll < 9) return gen.mutate(gen.pick(TAG_SHAPES), TAG_ALPHABET);
    return gen.chars(TAG_ALPHABET, 10);
  });
}

function filterTags(gen: Gen): TagFilter | undefined {
  const roll = gen.int(10);
  if (roll < 5) return undefined;
  if (roll < 8) return gen.pick(FILTERS);
  const base = gen.pick(FILTERS);
  return { pattern: gen.mutate(base.pattern!, PATTERN_ALPHABET), extract: gen.int(2) === 0 ? base.extract : gen.mutate(base.extract!, '$v{}01x') };
}

function policyOf(kind: 'semver' | 'alphabetical' | 'numerical', gen: Gen): ImagePolicyChoice {
  if (kind === 'semver') {
    const roll = gen.int(6);
    return { semver: { range: roll < 4 ? gen.pick(RANGE_SHAPES) : roll < 5 ? gen.mutate(gen.pick(RANGE_SHAPES), RANGE_ALPHABET) : gen.chars(RANGE_ALPHABET, 10) } };
  }
  const order = gen.int(5) === 0 ? gen.pick(ORDERS) : gen.pick(['asc', 'desc']);
  return kind === 'alphabetical' ? { alphabetical: { order } } : { numerical: { order } };
}

function taglineOutcome(input: Input): Outcome {
  const result = applyPolicy({ policy: input.policy, filterTags: input.filterTags }, input.tags);
  if (result.ok) return { ok: true, latest: result.latest };
  return {
    ok: false,
    error: result.error,
    ...('invalidPolicy' in result ? { invalidPolicy: true } : {}),
    ...('noTags' in result ? { noTags: true } : {}),
  };
}

const sameOutcome = (a: Outcome, b: Outcome) =>
  a.ok === b.ok && (a.latest ?? '') === (b.latest ?? '') && (a.error ?? '') === (b.error ?? '') && !!a.invalidPolicy === !!b.invalidPolicy && !!a.noTags === !!b.noTags;

const KINDS = ['semver', 'alphabetical', 'numerical'] as const;

describe('ImagePolicy selection: applyPolicy against image-reflector-controller v1.2.0 internal/policy', () => {
  KINDS.forEach((kind, k) => {
    it(`${kind}: agrees on ${PER_KIND} seeded policies, filters and tag lists (selected tag or error text)`, async () => {
      const gen = new Gen(random(SEED + 10 + k));
      const inputs: Input[] = Array.from({ length: PER_KIND }, () => {
        const input: Input = { policy: policyOf(kind, gen), tags: tagList(gen, kind === 'numerical') };
        const filter = filterTags(gen);
        if (filter) input.filterTags = filter;
        return input;
      });
      const answers = await oracle.ask<{ outcomes: Outcome[]; items?: Record<string, string> }>(inputs);
      compare(`${kind} policy`, inputs, (input, i) => {
        const go = answers[i]!;
        const ours = taglineOutcome(input);
        if (go.items != null) {
          const filter = newRegexFilter(input.filterTags!.pattern ?? '', input.filterTags!.extract ?? '');
          const items = filter.ok ? Object.fromEntries([...applyRegexFilter(filter.filter, input.tags)].sort()) : {};
          const theirs = Object.fromEntries(Object.entries(go.items).sort());
          if (JSON.stringify(items) !== JSON.stringify(theirs)) return `filtered values: go ${JSON.stringify(theirs)}, tagline ${JSON.stringify(items)}`;
        }
        return sameOutcome(go.outcomes[0]!, ours) ? undefined : `go ${JSON.stringify(go.outcomes[0])}, tagline ${JSON.stringify(ours)}`;
      });
      const varying = answers.filter((a) => a.outcomes.length > 1).length;
      process.stderr.write(`policy oracle: ${kind}: ${inputs.length} inputs agree; the controller's own choice depends on map order for ${varying} of them\n`);
    });
  });
});
