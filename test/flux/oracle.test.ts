// Differential tests of Tagline's ports of the controller's pure functions against the Go originals, asked
// through test/oracle (go-containerregistry v0.21.6 `name`, Go `regexp`, `time.ParseDuration`, Masterminds
// semver and fluxcd/pkg/version, `strconv.ParseFloat`, at the versions image-reflector-controller v1.2.0
// links). Inputs are seeded:
// mutations of real-world shapes and random strings, 10,000 per kind. A failure prints the seed; rerun with
// TAGLINE_ORACLE_SEED=<seed> to get the same inputs.
import { after, before, describe, it } from 'node:test';
import { parseImageReference } from '../../common/flux/reference';
import { formatGoDurationNs, parseGoDurationNs } from '../../common/flux/duration';
import { compileExclusion } from '../../common/flux/exclusion';
import { parseFloatGo } from '../../common/flux/policy/parseFloat';
import { compareVersions, newVersion, parseVersion, strictNewVersion, versionString } from '../../common/flux/policy/semver';
import { checkConstraints, constraintsString, newConstraint, validateConstraints } from '../../common/flux/policy/constraints';
import { compare, Gen, OracleClient, PER_KIND, random, SEED } from './oracleClient';

let oracle: OracleClient;
const ask = <T>(requests: object[]): Promise<T[]> => oracle.ask<T>(requests);

before(() => {
  oracle = new OracleClient('flux-oracle');
});

after(() => {
  oracle?.stop();
});

// ---- image references ---------------------------------------------------------------------------------------

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const REFERENCE_SHAPES = [
  'ghcr.io/fluxcd/image-reflector-controller', 'docker.io/library/alpine', 'docker.io/alpine', 'index.docker.io/alpine', 'alpine',
  'stefanprodan/podinfo', 'localhost:5000/foo/bar', 'localhost/foo', '127.0.0.1:5050/apps/frontend', '[::1]:5000/a/b', '[::1]/a',
  'registry.example.com:443/team/app', `example.com/a@${DIGEST}`, 'gcr.io/x/y:tag', 'http://ghcr.io/x', 'oci://ghcr.io/x', 'Docker.io/x',
  '192.168.1.1:5000/x', '10.0.0.1/x', '172.16.0.1:5000/x', 'foo.localhost/bar', 'xn--bcher-kva.example/x', 'bücher.example/x', 'a/b/c/d',
  '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app', 'myacr.azurecr.io/team/app', 'europe-docker.pkg.dev/p/r/i', 'quay.io/a/b:1.0@' + DIGEST,
  'registry:5000/x', 'my_registry.local/x', 'host:/x', 'host:port/x', 'a.b/c_d', 'a.b/c__d', 'a.b/c-.d', 'a.b/-c',
  '172.16.016.1:5000/x', 'foo.localhost:/x', 'foo.localhost:123456/x', '[fe80::1]:5000/x', '[1.2.3.4]/x', '[::ffff:1.2.3.4]/x', 'gcr.io/x:',
];
const REFERENCE_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789./:@-_[]%?#~!$&\'()*+,;= äμ\t';

interface ReferenceAnswer { ok: boolean; error?: string; tagError?: string; digestError?: string; canonicalImageName?: string; registry?: string; repository?: string; scheme?: string }

describe('image references: parseImageReference against go-containerregistry v0.21.6 through the controller\'s ParseImageReference', () => {
  it(`agrees on ${PER_KIND} seeded inputs`, async () => {
    const gen = new Gen(random(SEED));
    const inputs = Array.from({ length: PER_KIND }, (_, i) => ({
      input: i % 5 === 4 ? gen.chars(REFERENCE_ALPHABET, 24) : i < REFERENCE_SHAPES.length ? REFERENCE_SHAPES[i]! : gen.mutate(gen.pick(REFERENCE_SHAPES), REFERENCE_ALPHABET),
      insecure: gen.int(4) === 0,
    }));
    const answers = await ask<ReferenceAnswer>(inputs.map((input) => ({ kind: 'reference', ...input })));
    compare('reference', inputs, ({ input, insecure }, i) => {
      const go = answers[i]!;
      const ours = parseImageReference(input, insecure);
      if (go.ok !== ours.ok) return `go ${go.ok ? `accepts (${go.canonicalImageName})` : `rejects: ${go.error}`}, tagline ${ours.ok ? `accepts (${ours.reference.canonicalImageName})` : `rejects: ${ours.message}`}`;
      if (ours.ok) {
        const mine = { canonicalImageName: ours.reference.canonicalImageName, registry: ours.reference.registry, repository: ours.reference.repository, scheme: ours.reference.scheme };
        const theirs = { canonicalImageName: go.canonicalImageName, registry: go.registry, repository: go.repository, scheme: go.scheme };
        return JSON.stringify(mine) === JSON.stringify(theirs) ? undefined : `go ${JSON.stringify(theirs)}, tagline ${JSON.stringify(mine)}`;
      }
      if (ours.message !== go.error) return `go says '${go.error}', tagline '${ours.message}'`;
      if (ours.kind === 'invalid') {
        const precise = input.includes('@') ? go.digestError : go.tagError;
        if (ours.detail !== precise) return `precise reason: go '${precise}', tagline '${ours.detail}'`;
      }
      return undefined;
    });
  });
});

// ---- RE2 exclusion patterns ---------------------------------------------------------------------------------

const PATTERN_SHAPES = [
  '^.*\\.sig$', '^main-', '(?i)latest', '^v?\\d+\\.\\d+\\.\\d+$', '[a-z]+-rc\\.\\d+', '\\A\\d', '(?P<x>a)', '(?<name>a)', '^(?:sha256-)?[a-f0-9]{64}\\.(sig|att|sbom)$',
  '.*-(alpha|beta)\\d*', '\\p{greek}', '\\p{Letter}', '\\pl', '(?P<x>a)(?P<x>b)', '[[:]', '[[:]alpha:]]', '(?P<', '^[0-9]+$', '\\bdev\\b', '[[:alpha:]]+', '\\p{Greek}', 'a{2,5}', 'x*?y+?', '(?s).', '(?m)^a$', '[^a-z]', '\\Qa.b\\E', '(a|b)\\1', '(?=a)', 'a**', '\\z', '[z-a]', 'x{1001}',
];
const PATTERN_ALPHABET = 'abcxyz019.*+?()[]{}|^$\\-:,<>=!PpdDsSwWbBAzQE_iUms ';
const SUBJECTS = ['1.0.0', 'v1.2.3', 'latest', 'main-3f2a9c1', `sha256-${'a'.repeat(64)}.sig`, '2.1.0-rc.1', 'dev', 'DEV', 'ab', 'αβγ', '', 'a\nb', 'x{1,2}', 'aaaa'];

describe('exclusion patterns: compileExclusion against Go regexp', () => {
  it(`agrees on ${PER_KIND} seeded patterns, compiling and matching`, async () => {
    const gen = new Gen(random(SEED + 1));
    const inputs = Array.from({ length: PER_KIND }, (_, i) => ({
      pattern: i % 4 === 3 ? gen.chars(PATTERN_ALPHABET, 12) : i < PATTERN_SHAPES.length ? PATTERN_SHAPES[i]! : gen.mutate(gen.pick(PATTERN_SHAPES), PATTERN_ALPHABET),
      subjects: [...SUBJECTS, gen.chars('abcxyz019.-_A', 10), gen.chars('abcxyz019.-_A', 10)],
    }));
    const answers = await ask<{ ok: boolean; error?: string; matches?: boolean[] }>(inputs.map((input) => ({ kind: 'regexp', ...input })));
    compare('regexp', inputs, ({ pattern, subjects }, i) => {
      const go = answers[i]!;
      const ours = compileExclusion(pattern);
      if (go.ok !== ours.ok) return `go ${go.ok ? 'compiles' : `rejects: ${go.error}`}, tagline ${ours.ok ? 'compiles' : `rejects: ${ours.message}`}`;
      if (!ours.ok) return ours.message === go.error ? undefined : `go says '${go.error}', tagline '${ours.message}'`;
      const mine = subjects.map((s) => ours.matches(s));
      const wrong = subjects.filter((_, j) => mine[j] !== go.matches![j]);
      return wrong.length === 0 ? undefined : `matches differ on ${JSON.stringify(wrong)}`;
    });
  });
});

// ---- Go durations -------------------------------------------------------------------------------------------

const DURATION_SHAPES = ['5m', '1h30m', '1.5s', '300ms', '10us', '1µs', '1μs', '-1m', '+5s', '0', '.5s', '1.s', '9223372036854775807ns', '2562047h47m16.854775807s', '2562048h', '1h0m0s', '0.000000001s', '1.0000000001s', '00012m', '', '1', 'h', '1.00000000010000m', '-9223372036854775808ns', '9223372036854775808ns', '0.333333333333333333333h'];
const DURATION_ALPHABET = '0123456789.smhunµμ+-';

describe('durations: parseGoDurationNs and formatGoDurationNs against time.ParseDuration and Duration.String', () => {
  it(`agrees on ${PER_KIND} seeded inputs`, async () => {
    const gen = new Gen(random(SEED + 2));
    const inputs = Array.from({ length: PER_KIND }, (_, i) => (i % 4 === 3 ? gen.chars(DURATION_ALPHABET, 10) : i < DURATION_SHAPES.length ? DURATION_SHAPES[i]! : gen.mutate(gen.pick(DURATION_SHAPES), DURATION_ALPHABET)));
    const answers = await ask<{ ok: boolean; ns?: string; string?: string; error?: string }>(inputs.map((input) => ({ kind: 'duration', input })));
    compare('duration', inputs, (input, i) => {
      const go = answers[i]!;
      const ours = parseGoDurationNs(input);
      if (go.ok !== (ours !== undefined)) return `go ${go.ok ? `accepts (${go.ns} ns)` : `rejects: ${go.error}`}, tagline ${ours !== undefined ? `accepts (${ours} ns)` : 'rejects'}`;
      if (ours === undefined) return undefined;
      if (String(ours) !== go.ns) return `go ${go.ns} ns, tagline ${ours} ns`;
      return formatGoDurationNs(ours) === go.string ? undefined : `String(): go ${go.string}, tagline ${formatGoDurationNs(ours)}`;
    });
  });
});

// ---- ImagePolicy numbers ------------------------------------------------------------------------------------

const FLOAT_SHAPES = ['1', '1.5', '1e3', '0x1p-2', '1_000', 'inf', 'NaN', '+Inf', '1e400', '-0', '.5', '5.', '0x', '1e', '9007199254740993', '2.2250738585072011e-308', '4.9e-324', ' 1', '1,5', '20240101', '1.0.0', 'v1'];
const FLOAT_ALPHABET = '0123456789.eE+-_xXpPinfaINFAt ';

describe('numbers: parseFloatGo against strconv.ParseFloat(s, 64)', () => {
  it(`agrees on ${PER_KIND} seeded inputs`, async () => {
    const gen = new Gen(random(SEED + 3));
    const inputs = Array.from({ length: PER_KIND }, (_, i) => (i % 4 === 3 ? gen.chars(FLOAT_ALPHABET, 12) : i < FLOAT_SHAPES.length ? FLOAT_SHAPES[i]! : gen.mutate(gen.pick(FLOAT_SHAPES), FLOAT_ALPHABET)));
    const answers = await ask<{ ok: boolean; value: string; error?: string }>(inputs.map((input) => ({ kind: 'float', input })));
    compare('float', inputs, (input, i) => {
      const go = answers[i]!;
      const ours = parseFloatGo(input);
      const goValue = go.value === '+Inf' ? Infinity : go.value === '-Inf' ? -Infinity : Number(go.value);
      if (go.ok !== ours.ok) return `go ${go.ok ? `accepts (${go.value})` : `rejects: ${go.error}`}, tagline ${ours.ok ? `accepts (${ours.value})` : `rejects: ${ours.error}`}`;
      if (!ours.ok && ours.error !== go.error) return `go says '${go.error}', tagline '${ours.error}'`;
      return Object.is(goValue, ours.value) ? undefined : `value: go ${go.value}, tagline ${ours.value}`;
    });
  });
});

// ---- Masterminds semver -------------------------------------------------------------------------------------

const CONSTRAINT_SHAPES = [
  '>=1.0', '>=1.0.0', '^1.2.3', '~1.2.3', '~1', '^0.2', '^0.0.3', '1.x', '1.2.X', '*', 'x', '', '>= 1.2, < 3.0.0 || >= 4.2.3', '1.2 - 3.4.5',
  '1.2.3 - 2', '!=1.2.3', '=1.2.3', '<1.0.0-0', '>=1.0.0-alpha', '>1.2.3-beta.2 <2', '^1.2.3-rc.1', '~> 1.2', '=> 1.2', '>=v1.2.3',
  '1.2.3 || 2.x || ~3.1', '>= 0.0.0-0', '1.2.3+build', '^01.2.3', '~0.0.0', '^0.0.x', '<=1.2', '< 2.0, > 1.0', '1 - 2 - 3', '>=1.0.0,<2.0.0',
  '||', '1.0.0 ||', '>=18446744073709551615', '>=18446744073709551616', '~ 1.2.3', '^v1', '>=1.0.0 !=1.0.5', '>1.0.0-0', '<=2.x.x',
];
const VERSION_SHAPES = [
  '1.0.0', 'v1.2.3', '1.2', '1', 'v1', '01.2.3', '1.02.3', '1.2.03', '1.2.3-rc.1', '1.2.3-rc.01', '1.2.3-0', '1.2.3-alpha.beta.1', '1.2.3+build.5',
  '1.2.3-beta+exp.sha.5114f85', '1.2.3-', '1.2.3+', '1.2.3-a..b', '1.2.3+a..b', 'latest', 'main-3f2a9c1', '2024.01.15', '0.0.0', '18446744073709551615.0.0',
  '18446744073709551616.0.0', '1.2.3.4', 'V1.2.3', 'v', '', '1.2.3-DEV-SNAPSHOT', '1.2.3----RC-SNAPSHOT.12.9.1--.12', '1.2.3-0.3.7', '1.2.3-x.7.z.92',
  '10.20.30', '1.0.0-alpha_beta', '1.2.3-0123', '1.2.3-123abc', '1.2.3-alpha', '1.2.3-alpha.1', '1.2.3-beta', '1.2.3-rc',
];
const CONSTRAINT_ALPHABET = '0123456789.xX*^~<>=!|, -vV+abr';
const VERSION_ALPHABET = '0123456789.vV-+abrcxZ_';

interface SemverAnswer {
  ok: boolean; error?: string; constraints?: string;
  versions?: { ok: boolean; error?: string; strict?: string; strictError?: string; flux?: string; fluxError?: string; version?: string; matches?: boolean; valid?: boolean; reasons?: string[]; compareNext?: number }[];
}

describe('semver: the ImagePolicy port against Masterminds semver v3.5.0 and fluxcd/pkg/version v0.16.0', () => {
  it(`agrees on ${PER_KIND} seeded constraints and 8 versions each: parsing, String(), Compare, Check and Validate`, async () => {
    const gen = new Gen(random(SEED + 4));
    const version = (): string => (gen.int(4) === 3 ? gen.chars(VERSION_ALPHABET, 12) : gen.int(3) === 0 ? gen.pick(VERSION_SHAPES) : gen.mutate(gen.pick(VERSION_SHAPES), VERSION_ALPHABET));
    const partial = (): string => [gen.pick(['v', '', '', '']), ...Array.from({ length: 1 + gen.int(3) }, () => gen.pick(['0', '1', '2', '10', 'x', '*', 'X', '01']))].join('.').replace(/^([v]?)\./, '$1') + gen.pick(['', '', '', '-0', '-rc.1', '-alpha', '+build']);
    const composed = (): string => Array.from({ length: 1 + gen.int(3) }, () =>
      gen.int(5) === 0 ? `${partial()} - ${partial()}` : Array.from({ length: 1 + gen.int(2) }, () => `${gen.pick(['', '=', '!=', '>', '<', '>=', '<=', '=>', '=<', '~', '~>', '^'])}${gen.pick(['', ' '])}${partial()}`).join(gen.pick([', ', ' ', ','])),
    ).join(gen.pick([' || ', '||']));
    const inputs = Array.from({ length: PER_KIND }, (_, i) => ({
      constraint: i < CONSTRAINT_SHAPES.length ? CONSTRAINT_SHAPES[i]! : i % 4 === 3 ? gen.chars(CONSTRAINT_ALPHABET, 16) : i % 4 === 2 ? gen.mutate(gen.pick(CONSTRAINT_SHAPES), CONSTRAINT_ALPHABET) : composed(),
      versions: Array.from({ length: 8 }, version),
    }));
    const answers = await ask<SemverAnswer>(inputs.map((input) => ({ kind: 'semver', ...input })));
    compare('semver', inputs, ({ constraint, versions }, i) => {
      const go = answers[i]!;
      const ours = newConstraint(constraint);
      if (go.ok !== ours.ok) return `NewConstraint: go ${go.ok ? `accepts (${go.constraints})` : `rejects: ${go.error}`}, tagline ${ours.ok ? `accepts (${constraintsString(ours.constraints)})` : `rejects: ${ours.error}`}`;
      if (!ours.ok && ours.error !== go.error) return `NewConstraint: go says '${go.error}', tagline '${ours.error}'`;
      if (ours.ok && constraintsString(ours.constraints) !== go.constraints) return `String(): go '${go.constraints}', tagline '${constraintsString(ours.constraints)}'`;
      const parsed = versions.map((v) => newVersion(v));
      for (let j = 0; j < versions.length; j++) {
        const v = versions[j]!;
        const want = go.versions![j]!;
        const mine = parsed[j]!;
        const strict = strictNewVersion(v);
        const strictGo = want.strict !== undefined ? { ok: true, text: want.strict } : { ok: false, text: want.strictError };
        const strictOurs = strict.ok ? { ok: true, text: versionString(strict.version) } : { ok: false, text: strict.error };
        if (JSON.stringify(strictGo) !== JSON.stringify(strictOurs)) return `StrictNewVersion(${JSON.stringify(v)}): go ${JSON.stringify(strictGo)}, tagline ${JSON.stringify(strictOurs)}`;
        const flux = parseVersion(v);
        const fluxGo = want.flux !== undefined ? { ok: true, text: want.flux } : { ok: false, text: want.fluxError };
        const fluxOurs = flux.ok ? { ok: true, text: versionString(flux.version) } : { ok: false, text: flux.error };
        if (JSON.stringify(fluxGo) !== JSON.stringify(fluxOurs)) return `ParseVersion(${JSON.stringify(v)}): go ${JSON.stringify(fluxGo)}, tagline ${JSON.stringify(fluxOurs)}`;
        if (want.ok !== mine.ok) return `NewVersion(${JSON.stringify(v)}): go ${want.ok ? `accepts (${want.version})` : `rejects: ${want.error}`}, tagline ${mine.ok ? `accepts (${versionString(mine.version)})` : `rejects: ${mine.error}`}`;
        if (!mine.ok) {
          if (mine.error !== want.error) return `NewVersion(${JSON.stringify(v)}): go says '${want.error}', tagline '${mine.error}'`;
          continue;
        }
        if (versionString(mine.version) !== want.version) return `String() of ${JSON.stringify(v)}: go ${want.version}, tagline ${versionString(mine.version)}`;
        if (ours.ok && checkConstraints(ours.constraints, mine.version) !== want.matches) return `Check(${JSON.stringify(v)}): go ${want.matches}, tagline ${!want.matches}`;
        const validated = ours.ok ? validateConstraints(ours.constraints, mine.version) : { ok: want.valid, reasons: want.reasons };
        if (validated.ok !== want.valid || JSON.stringify(validated.reasons) !== JSON.stringify(want.reasons)) return `Validate(${JSON.stringify(v)}): go ${want.valid} ${JSON.stringify(want.reasons)}, tagline ${validated.ok} ${JSON.stringify(validated.reasons)}`;
        const next = parsed[(j + 1) % versions.length]!;
        if (next.ok && compareVersions(mine.version, next.version) !== want.compareNext) return `Compare(${JSON.stringify(v)}, ${JSON.stringify(versions[(j + 1) % versions.length])}): go ${want.compareNext}, tagline ${compareVersions(mine.version, next.version)}`;
      }
      return undefined;
    });
  });
});
