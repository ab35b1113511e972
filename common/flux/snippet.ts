// The new-ImageRepository snippet, offered by completion (server) and by "Create ImageRepository" (extension).

export const IMAGE_REPOSITORY_SNIPPET = [
  'apiVersion: image.toolkit.fluxcd.io/v1',
  'kind: ImageRepository',
  'metadata:',
  '  name: ${1:podinfo}',
  '  namespace: ${2:flux-system}',
  'spec:',
  '  image: ${3:ghcr.io/stefanprodan/podinfo}',
  '  interval: ${4:5m}',
  '$0',
].join('\n');

/** The new-ImagePolicy snippet (completion in an empty document). */
export const IMAGE_POLICY_SNIPPET = [
  'apiVersion: image.toolkit.fluxcd.io/v1',
  'kind: ImagePolicy',
  'metadata:',
  '  name: ${1:podinfo}',
  '  namespace: ${2:flux-system}',
  'spec:',
  '  imageRepositoryRef:',
  '    name: ${3:podinfo}',
  '  policy:',
  '    semver:',
  "      range: '${4:>=1.0.0}'",
  '$0',
].join('\n');

/** One snippet per policy kind, for completion of keys under `spec.policy` (`indent`: the spaces of that key). */
export function policyKindSnippets(indent: string): Record<'semver' | 'alphabetical' | 'numerical', string> {
  return {
    semver: `semver:\n${indent}  range: '\${1:>=1.0.0}'$0`,
    alphabetical: `alphabetical:\n${indent}  order: \${1|asc,desc|}$0`,
    numerical: `numerical:\n${indent}  order: \${1|asc,desc|}$0`,
  };
}
