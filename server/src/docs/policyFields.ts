// Short field docs of ImagePolicy documents for hover and completion, written for people editing manifests.
import type { FieldDoc } from './fields';

export const POLICY_FIELD_DOCS: Record<string, FieldDoc> = {
  apiVersion: { summary: 'API group and version.', details: 'The controller serves `image.toolkit.fluxcd.io/v1`.' },
  kind: { summary: 'ImagePolicy: which tag of an ImageRepository counts as the latest.' },
  metadata: { summary: 'Name, namespace, labels and annotations.' },
  'metadata.name': { summary: 'Name of the ImagePolicy, unique in its namespace.', details: 'Setter markers refer to it as `{"$imagepolicy": "<namespace>:<name>"}`.' },
  'metadata.namespace': { summary: 'Namespace of the object; `default` when left out.', details: 'An ImageRepository in another namespace must allow this one in its `accessFrom`.' },
  'metadata.labels': { summary: 'Labels of the object.' },
  'metadata.annotations': { summary: 'Annotations of the object.', details: 'A new `reconcile.fluxcd.io/requestedAt` value asks for a new evaluation.' },
  spec: { summary: 'Which repository, and how to pick its latest tag.' },
  'spec.imageRepositoryRef': { summary: 'The ImageRepository whose scanned tags this policy reads.' },
  'spec.imageRepositoryRef.name': { summary: 'Name of the ImageRepository.' },
  'spec.imageRepositoryRef.namespace': {
    summary: "Namespace of the ImageRepository; the policy's own namespace when left out.",
    details: "Another namespace works only if the repository's `spec.accessFrom.namespaceSelectors` match this policy's namespace labels (`kubernetes.io/metadata.name` is always set); otherwise the policy fails with reason `AccessDenied`.",
  },
  'spec.policy': {
    summary: 'How tags are ordered: `semver`, `alphabetical` or `numerical`.',
    details: 'Set exactly one. If several are set, only the first of semver, alphabetical, numerical counts; if none is, the policy stalls with `InvalidPolicy`.',
  },
  'spec.policy.semver': { summary: 'The highest tag within a semantic version range.' },
  'spec.policy.semver.range': {
    summary: 'A Masterminds semver v3 range, e.g. `>=1.0.0`, `~1.2`, `^2`, `1.x`, `>=1.0.0 <2.0.0 || >=3.0.0`.',
    details: 'Only tags of exactly three dot-separated parts count (`1.2` and `1.2.3.4` do not); a `v` prefix and leading zeros are fine. Prereleases (`1.3.0-rc.1`) count only in an OR group that names one, e.g. `>=1.0.0-0`.',
  },
  'spec.policy.alphabetical': { summary: 'The greatest (or least) tag compared byte by byte.', details: 'Good for sortable timestamps such as `2024-05-01T10-00-00Z`; `9` sorts after `10`.' },
  'spec.policy.alphabetical.order': { summary: '`asc` (default) selects the last tag in byte order (Z), `desc` the first (A).' },
  'spec.policy.numerical': { summary: 'The greatest (or least) tag read as a number.', details: "Every tag must parse as a Go float (`1e3`, `+7`, `0x1p4`, `1_000` parse; `0x10` does not), else the policy fails: use `filterTags` to keep and extract only numbers." },
  'spec.policy.numerical.order': { summary: '`asc` (default) selects the greatest number, `desc` the least.' },
  'spec.filterTags': { summary: 'Keep only matching tags, and optionally order a captured part of them.' },
  'spec.filterTags.pattern': { summary: 'A Go RE2 regular expression, matched anywhere in the tag (anchor with `^` and `$`).', details: 'Named groups `(?P<name>…)` can be used by `extract`.' },
  'spec.filterTags.extract': {
    summary: 'A Go template such as `$ts` or `${1}` whose expansion is ordered instead of the whole tag.',
    details: 'The selected tag is still the original one. `$1x` means the group named `1x` (write `${1}x`); groups the pattern lacks expand to nothing.',
  },
  'spec.digestReflectionPolicy': {
    summary: 'When to record the digest of the selected tag in `status.latestRef.digest`.',
    details: '`Never` (default), `IfNotPresent` (once per selected tag), `Always` (every `interval`, which must then be set).',
  },
  'spec.interval': { summary: 'How often the digest is refreshed; only with `digestReflectionPolicy: Always`.', details: 'A Go duration (`10m`, `1h`); the API server rejects it with any other digestReflectionPolicy.' },
  'spec.suspend': { summary: 'When true, the policy is not evaluated; its last result stays.' },
};
