// The workspace the e2e suite opens: manifests pointing at the real local registries, a Secret with a wrong
// password, and one manifest with a schema error. Two folders, so the multi-root path is exercised as well.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const REPOS = {
  podinfo: { namespace: 'apps', name: 'podinfo', repo: 'stefanprodan/podinfo', tags: ['6.5.0', '6.5.1', '6.5.2', '6.6.0', 'latest'] },
  nginx: { namespace: 'flux-system', name: 'nginx', repo: 'library/nginx', tags: ['1.25.0', '1.25.1', '1.26.0'] },
  private: { namespace: 'apps', name: 'private-app', repo: 'team/private-app', tags: ['v1.0.0', 'v1.1.0'] },
  // Same registry, no secretRef: only "Sign in to a registry" can make it Ready.
  signedIn: { namespace: 'apps', name: 'signed-in-app', repo: 'team/private-app', tags: ['v1.0.0', 'v1.1.0'] },
};

const imageRepository = ({ namespace, name }, image, extra = '') => `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  image: ${image}
  interval: 1h
${extra}`;

export const POLICIES = `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: podinfo
  namespace: apps
spec:
  imageRepositoryRef:
    name: podinfo
  digestReflectionPolicy: IfNotPresent
  policy:
    semver:
      range: '>=6.5.0'
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata:
  name: next-major
  namespace: apps
spec:
  imageRepositoryRef:
    name: podinfo
  policy:
    semver:
      range: '>=7.0.0'
`;

export const AUTOMATION = `apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata:
  name: podinfo-updates
  namespace: apps
spec:
  interval: 30m
  sourceRef:
    kind: GitRepository
    name: flux-system
    namespace: flux-system
  git:
    checkout:
      ref:
        branch: main
    commit:
      author:
        email: fluxcdbot@users.noreply.github.com
        name: fluxcdbot
  update:
    path: ./deploy
    strategy: Setters
`;

/** A Deployment whose image carries the setter marker of ImagePolicy apps/podinfo (on line 10, 0-based). */
const markedDeployment = (name, image) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: apps
spec:
  template:
    spec:
      containers:
        - name: ${name}
          image: ${image} # {"$imagepolicy": "apps:podinfo"}
`;

export function writeWorkspace(root, { plainHost, basicHost, username }) {
  const apps = path.join(root, 'apps');
  const infra = path.join(root, 'infra');
  mkdirSync(apps, { recursive: true });
  mkdirSync(infra, { recursive: true });
  writeFileSync(path.join(apps, 'podinfo.yaml'), imageRepository(REPOS.podinfo, `${plainHost}/${REPOS.podinfo.repo}`));
  writeFileSync(path.join(infra, 'nginx.yaml'), imageRepository(REPOS.nginx, `${plainHost}/${REPOS.nginx.repo}`));
  const dockerConfig = Buffer.from(JSON.stringify({
    auths: { [basicHost]: { username, password: 'not-the-password' } },
  })).toString('base64');
  writeFileSync(path.join(apps, 'private-app.yaml'), imageRepository(REPOS.private, `${basicHost}/${REPOS.private.repo}`,
    '  secretRef:\n    name: registry-login\n') + `---
apiVersion: v1
kind: Secret
metadata:
  name: registry-login
  namespace: apps
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: ${dockerConfig}
`);
  writeFileSync(path.join(apps, 'signed-in-app.yaml'), imageRepository(REPOS.signedIn, `${basicHost}/${REPOS.signedIn.repo}`));
  // ImagePolicies on podinfo's tags: one resolves (with its digest), one finds no version in range.
  writeFileSync(path.join(apps, 'policies.yaml'), POLICIES);
  // `interval` must be a Go duration: a schema error the language server reports.
  writeFileSync(path.join(apps, 'broken.yaml'), imageRepository({ namespace: 'apps', name: 'broken' }, '127.0.0.1:9/nowhere/broken').replace('interval: 1h', 'interval: every hour'));
  // No Flux document: never in the Problems panel.
  writeFileSync(path.join(apps, 'web.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  template:\n    spec:\n      containers:\n        - image: nginx:1.27\n');
  // An ImageUpdateAutomation rewriting apps/deploy: the marker there is one it writes, the one in
  // outside.yaml is not (marker.outsideAutomations).
  mkdirSync(path.join(apps, 'deploy'), { recursive: true });
  writeFileSync(path.join(apps, 'automation.yaml'), AUTOMATION);
  writeFileSync(path.join(apps, 'deploy', 'frontend.yaml'), markedDeployment('frontend', `${plainHost}/${REPOS.podinfo.repo}:6.5.0`));
  writeFileSync(path.join(apps, 'outside.yaml'), markedDeployment('outside', `${plainHost}/${REPOS.podinfo.repo}:6.5.0`));
  // No spec.interval: the API server would refuse it, so it is listed as not scanned and never scanned.
  writeFileSync(path.join(apps, 'no-interval.yaml'), imageRepository({ namespace: 'apps', name: 'no-interval' }, `${plainHost}/${REPOS.podinfo.repo}`).replace('  interval: 1h\n', ''));
  const workspaceFile = path.join(root, 'tagline-e2e.code-workspace');
  writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: 'apps' }, { path: 'infra' }] }, null, 2));
  return { root, apps, infra, workspaceFile };
}

/**
 * A folder with a Flux Kustomization (path ./clusters/home) and an examples/ folder it does not reach, holding an
 * ImageRepository without spec.interval: the one information `kustomize.notApplied` in place of its schema error.
 */
export function writeAppliedWorkspace(root) {
  mkdirSync(path.join(root, 'clusters', 'home'), { recursive: true });
  mkdirSync(path.join(root, 'examples'), { recursive: true });
  writeFileSync(path.join(root, 'clusters', 'home', 'sync.yaml'), `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./clusters/home
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`);
  writeFileSync(path.join(root, 'examples', 'example.yaml'), imageRepository({ namespace: 'flux-system', name: 'example' }, '127.0.0.1:9/library/example').replace('  interval: 1h\n', ''));
  return root;
}

/**
 * The kustomize fixture of the language-server tests (test/fixtures/kustomize/marked-repo): a Flux Kustomization
 * with targetNamespace over a base with an interval patch and marked Deployment. Its own window, so that the
 * kustomize module's first build is waited for there and not within another suite's time.
 */
export function writeKustomizeWorkspace(root, repoRoot) {
  cpSync(path.join(repoRoot, 'test', 'fixtures', 'kustomize', 'marked-repo'), root, { recursive: true });
  return root;
}
