// Policies that will silently stop advancing, shown with the stored tags (common/flux/policy/pitfalls.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { policyPitfalls } from '../../common/flux/policy/pitfalls';

describe('policy pitfalls on stored tags', () => {
  test('alphabetical order over tags that carry semver: prod-v1.9.0 above prod-v1.10.0', () => {
    const pitfalls = policyPitfalls({ policy: { alphabetical: {} }, filterTags: { pattern: '^prod-' } }, ['prod-v1.9.0', 'prod-v1.10.0', 'dev-v2.0.0']);
    assert.deepEqual(pitfalls, [{
      kind: 'orderOverSemver',
      message: "alphabetical order selects 'prod-v1.9.0' over 'prod-v1.10.0': these tags carry semantic versions, which alphabetical order does not compare as versions; use policy.semver with filterTags.extract naming the version.",
    }]);
  });

  test('alphabetical over plain v1.2.3 tags offers semver as a certain fix', () => {
    const [pitfall] = policyPitfalls({ policy: { alphabetical: { order: 'asc' } } }, ['v1.2.3', 'v1.10.0', 'v1.9.9']);
    assert.equal(pitfall.kind, 'orderOverSemver');
    assert.deepEqual(pitfall.fix, { policy: { semver: { range: '>=0.0.0' } } });
  });

  test('no warning when the order agrees with the versions', () => {
    assert.deepEqual(policyPitfalls({ policy: { alphabetical: {} } }, ['v1.2.3', 'v1.2.4']), []);
    assert.deepEqual(policyPitfalls({ policy: { semver: { range: '1.x' } } }, ['1.0.0', '1.2.0', '2.0.0']), []);
  });

  test('a semver range no stored tag satisfies, naming the newest versions', () => {
    assert.deepEqual(policyPitfalls({ policy: { semver: { range: '5.0.x' } } }, ['6.0.0', '6.1.0', 'latest', '4.9.0']).map((p) => p.message), [
      "no stored tag satisfies semver range '5.0.x', while the stored versions go up to '6.1.0', '6.0.0', '4.9.0'; the policy selects nothing.",
    ]);
  });

  test('a filterTags.pattern that matches no stored tag', () => {
    assert.deepEqual(policyPitfalls({ policy: { alphabetical: {} }, filterTags: { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts' } }, ['master-abc-1', 'master-abd-2']).map((p) => p.kind), ['patternMatchesNothing']);
  });

  test('an extract that yields the same value for different tags', () => {
    assert.deepEqual(policyPitfalls({ policy: { numerical: {} }, filterTags: { pattern: '^(main|dev)-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts' } }, ['main-abc-100', 'dev-def-100', 'main-123-99']).map((p) => p.message), [
      "extract '$ts' yields '100' for different tags ('main-abc-100', 'dev-def-100'); the controller keeps only one of them.",
    ]);
  });
});
