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
