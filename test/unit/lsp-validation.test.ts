// The server's pure validation (what `tagline check` and the editor both show).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseManifestText } from '../../common/manifests';
import { ObjectIndex, validateManifest, type TaglineDiagnostic } from '../../server/src/validation';

function check(text: string, others = ''): TaglineDiagnostic[] {
  const manifest = parseManifestText('file:///t.yaml', text);
  const extra = parseManifestText('file:///o.yaml', others);
  return validateManifest(manifest, new ObjectIndex({
    secrets: [...manifest.objects.secrets, ...extra.objects.secrets],
    serviceAccounts: [...manifest.objects.serviceAccounts, ...extra.objects.serviceAccounts],
  }));
}

function repo(spec: string, head = 'apiVersion: image.toolkit.fluxcd.io/v1'): string {
  return `${head}\nkind: ImageRepository\nmetadata:\n  name: app\n  namespace: apps\nspec:\n${spec}`;
}

const codes = (ds: TaglineDiagnostic[]) => ds.map((d) => d.code);
const at = (d: TaglineDiagnostic) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`;

describe('spec.image', () => {
  test('reports a tag with the controller message, on the value, with a fix that removes it', () => {
    const [d] = check(repo('  image: ghcr.io/stefanprodan/podinfo:6.5.0\n  interval: 5m\n'));
    assert.equal(d.code, 'image.tag');
    assert.equal(d.message, "image 'ghcr.io/stefanprodan/podinfo:6.5.0' should not include a tag; remove ':6.5.0'");
    assert.equal(at(d), '6:9-6:43');
    assert.deepEqual(d.data?.fixes, [{
      title: "Remove ':6.5.0' from spec.image", preferred: true,
      edits: [{ range: d.range, newText: 'ghcr.io/stefanprodan/podinfo' }],
    }]);
  });

  test('reports a scheme and keeps the quoting style in the fix', () => {
    const [d] = check(repo('  image: "https://ghcr.io/org/app"\n  interval: 5m\n'));
    assert.equal(d.message, "image 'https://ghcr.io/org/app' should not include URL scheme; remove 'https://'");
    assert.equal(d.data?.fixes[0].edits[0].newText, '"ghcr.io/org/app"');
  });

  test('reports a digest as the controller does (as a tag) and fixes it', () => {
    const hex = 'f'.repeat(64);
    const [d] = check(repo(`  image: alpine@sha256:${hex}\n  interval: 5m\n`));
    assert.equal(d.message, `image 'alpine@sha256:${hex}' should not include a tag; remove ':${hex}'`);
    assert.equal(d.data?.fixes[0].edits[0].newText, 'alpine');
  });

  test('reports names that do not parse with the controller prefix', () => {
    const [d] = check(repo('  image: Alpine\n  interval: 5m\n'));
    assert.equal(d.code, 'image.invalid');
    assert.match(d.message, /^could not parse reference: Alpine/);
  });

  test('accepts Docker Hub short names, ports and registries', () => {
    for (const image of ['alpine', 'localhost:5000/foo', 'ghcr.io/org/app', '[::1]:5000/foo']) {
      assert.deepEqual(check(repo(`  image: "${image}"\n  interval: 5m\n`)), [], image);
    }
  });
});

describe('exclusionList', () => {
  test('accepts Go RE2 syntax that JavaScript lacks and rejects what RE2 lacks', () => {
    const ds = check(repo('  image: alpine\n  interval: 5m\n  exclusionList:\n    - "(?i)^rc"\n    - "\\\\A[0-9]+\\\\z"\n    - "[[:digit:]]"\n    - "^(?!v)"\n    - "(a)\\\\1"\n    - "[="\n'));
    assert.deepEqual(ds.map((d) => `${at(d)} ${d.message}`), [
      '12:6-12:14 failed to compile regex ^(?!v): error parsing regexp: invalid or unsupported Perl syntax: `(?!`',
      '13:6-13:14 failed to compile regex (a)\\1: error parsing regexp: invalid escape sequence: `\\1`',
      '14:6-14:10 failed to compile regex [=: error parsing regexp: missing closing ]: `[=`',
    ]);
  });

  test('warns that an empty list still applies the default', () => {
    const [d] = check(repo('  image: alpine\n  interval: 5m\n  exclusionList: []\n'));
    assert.equal(d.code, 'exclusionList.empty');
    assert.equal(d.severity, 2);
    assert.equal(at(d), '8:2-8:15');
  });
});

describe('other semantic checks', () => {
  test('warns about serviceAccountName with a cloud provider (feature gate)', () => {
    const [d] = check(repo('  image: 123456789000.dkr.ecr.us-east-2.amazonaws.com/app\n  interval: 5m\n  provider: aws\n  serviceAccountName: ecr\n'));
    assert.equal(d.code, 'serviceAccountName.featureGate');
    assert.equal(d.message, 'to use spec.serviceAccountName for provider authentication please enable the ObjectLevelWorkloadIdentity feature gate in the controller');
  });

  test('warns about an interval under 1s and a timeout longer than the interval', () => {
    assert.deepEqual(codes(check(repo('  image: alpine\n  interval: 500ms\n'))), ['interval.tooShort']);
    assert.deepEqual(codes(check(repo('  image: alpine\n  interval: 1m\n  timeout: 90s\n'))), ['timeout.exceedsInterval']);
  });

  test('warns about v1beta2 when no Flux version is known, with a migration fix', () => {
    const [d] = check(repo('  image: alpine\n  interval: 5m\n', 'apiVersion: image.toolkit.fluxcd.io/v1beta2'));
    assert.equal(d.code, 'apiVersion.unknownFlux');
    assert.equal(d.severity, 2);
    assert.equal(at(d), '0:12-0:43');
    assert.equal(d.data?.fixes[0].edits[0].newText, 'image.toolkit.fluxcd.io/v1');
  });

  test('judges the apiVersion of ImagePolicy and ImageUpdateAutomation against the Flux found', () => {
    const policy = 'apiVersion: image.toolkit.fluxcd.io/v1beta2\nkind: ImagePolicy\nmetadata:\n  name: app\nspec:\n  imageRepositoryRef:\n    name: app\n  policy:\n    semver:\n      range: 1.x\n';
    const automation = 'apiVersion: image.toolkit.fluxcd.io/v1beta1\nkind: ImageUpdateAutomation\nmetadata:\n  name: app\nspec:\n  interval: 5m\n  sourceRef:\n    kind: GitRepository\n    name: repo\n';
    const at = (minor: string) => [{ version: minor, minor, kind: 'setting' as const, source: 'the tagline.fluxVersion setting' }];
    const judged = (text: string, flux: ReturnType<typeof at>) => {
      const manifest = parseManifestText('file:///p.yaml', text);
      return validateManifest(manifest, new ObjectIndex(manifest.objects), flux).map((d) => `${d.severity} ${d.code}`);
    };
    // Beside the ImagePolicy's own checks (its repository is not in this workspace).
    assert.deepEqual(judged(policy, at('2.8')), ['2 apiVersion.deprecated', '3 imageRepositoryRef.notFound']);
    assert.deepEqual(judged(policy, at('2.9')), ['1 apiVersion.unserved', '3 imageRepositoryRef.notFound']);
    assert.deepEqual(judged(automation, at('2.5')), ['2 apiVersion.deprecated']);
    assert.deepEqual(judged(automation, at('2.7')), ['1 apiVersion.unserved']);
  });

  test('adds a missing interval at the indentation of the spec', () => {
    const [d] = check(repo('    image: alpine\n'));
    assert.equal(d.code, 'schema.required');
    assert.equal(d.message, 'Missing required field spec.interval.');
    assert.equal(at(d), '5:0-5:4');
    assert.deepEqual(d.data?.fixes[0].edits, [{ range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } }, newText: '    interval: 5m\n' }]);
  });

  test('leaves other kinds and other API groups alone', () => {
    assert.deepEqual(check('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: Bad_Name}\nspec: {image: 1}\n'), []);
    assert.deepEqual(check('apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: x}\nspec: {}\n'), []);
  });

  test('reports YAML syntax errors only in our documents', () => {
    assert.deepEqual(codes(check(repo('  image: alpine\n  interval: [5m\n'))), ['yaml.BAD_INDENT']);
    assert.deepEqual(check('kind: Deployment\nspec: [unclosed\n'), []);
  });
});

describe('references across the workspace', () => {
  const secrets = `apiVersion: v1
kind: Secret
metadata: {name: regcred, namespace: apps}
type: kubernetes.io/dockerconfigjson
data: {.dockerconfigjson: e30=}
---
apiVersion: v1
kind: Secret
metadata: {name: opaque, namespace: apps}
type: Opaque
data: {username: eA==}
---
apiVersion: v1
kind: Secret
metadata: {name: tls, namespace: apps}
data: {tls.crt: eA==}
---
apiVersion: v1
kind: Secret
metadata: {name: legacy-ca, namespace: apps}
data: {caFile: eA==}
---
apiVersion: v1
kind: Secret
metadata: {name: proxy, namespace: apps}
stringData: {username: u}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: puller, namespace: apps}
imagePullSecrets: [{name: regcred}, {name: gone}]
`;

  test('says nothing when every reference resolves to a suitable object', () => {
    assert.deepEqual(check(repo('  image: alpine\n  interval: 5m\n  secretRef: {name: regcred}\n'), secrets), []);
  });

  test('gives information when a Secret or ServiceAccount is not in the workspace, namespace-aware', () => {
    const ds = check(repo('  image: alpine\n  interval: 5m\n  secretRef:\n    name: other\n  serviceAccountName: nobody\n'), secrets);
    assert.deepEqual(ds.map((d) => `${at(d)} ${d.severity} ${d.code} ${d.message}`), [
      "9:10-9:15 3 secretRef.notFound Secret 'apps/other' is not in the workspace; it may exist only in the cluster.",
      "10:22-10:28 3 serviceAccountName.notFound ServiceAccount 'apps/nobody' is not in the workspace; it may exist only in the cluster.",
    ]);
    const otherNamespace = check(repo('  image: alpine\n  interval: 5m\n  secretRef: {name: regcred}\n').replace('namespace: apps', 'namespace: web'), secrets);
    assert.deepEqual(codes(otherNamespace), ['secretRef.notFound']);
  });

  test('warns about Secrets of the wrong type or without the keys the controller reads', () => {
    const ds = check(repo('  image: alpine\n  interval: 5m\n  secretRef: {name: opaque}\n  certSecretRef: {name: tls}\n  proxySecretRef: {name: proxy}\n'), secrets);
    assert.deepEqual(ds.map((d) => `${d.code} ${d.message}`), [
      "secretRef.wrongType Secret 'apps/opaque' has type Opaque: the controller reads credentials only from kubernetes.io/dockerconfigjson (or kubernetes.io/dockercfg) Secrets, so the scan would be anonymous.",
      "certSecretRef.missingKeys secret 'apps/tls' contains 'tls.crt' but missing 'tls.key'",
      "proxySecretRef.missingKeys secret 'apps/proxy': key 'address' not found",
    ]);
  });

  test('flags the deprecated certificate keys and missing pull secrets of a ServiceAccount', () => {
    const ds = check(repo('  image: alpine\n  interval: 5m\n  certSecretRef: {name: legacy-ca}\n  serviceAccountName: puller\n'), secrets);
    assert.deepEqual(ds.map((d) => `${d.severity} ${d.code} ${d.message}`), [
      "2 certSecretRef.deprecatedKeys Secret 'apps/legacy-ca' uses the deprecated keys caFile; rename them to ca.crt, tls.crt and tls.key.",
      "3 serviceAccountName.pullSecretNotFound ServiceAccount 'apps/puller' lists image pull Secrets that are not in the workspace: gone.",
    ]);
  });
});

describe('YAML as kubectl reads it (sigs.k8s.io/yaml, go-yaml v2)', () => {
  const head = 'apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepository\nmetadata:\n  name: app\n  namespace: apps\n';

  test('resolves merge keys before the schema check and hands the merged object to the reconciler', () => {
    const text = `${head}spec:\n  <<: &defaults\n    interval: 10m\n    timeout: 1m\n  image: ghcr.io/acme/app\n`;
    assert.deepEqual(check(text), []);
    const [object] = parseManifestText('file:///t.yaml', text).objects.imageRepositories;
    assert.deepEqual(object?.spec, { interval: '10m', timeout: '1m', image: 'ghcr.io/acme/app' });
  });

  test('merges a list of anchors with the first one winning and own keys overriding', () => {
    const text = `x: &a {interval: 1m, timeout: 30s}\ny: &b {interval: 2m, provider: generic}\n---\n`
      + `${head}spec:\n  <<: [*a, *b]\n  image: ghcr.io/acme/app\n  timeout: 20s\n`;
    const [d] = check(text);
    assert.equal(d?.code, 'yaml.UNKNOWN_ANCHOR', 'anchors do not cross ---');
    assert.equal(d.message, "unknown anchor 'a' referenced");
    assert.equal(at(d), '9:7-9:9');
    const same = `${head}x: &a {interval: 1m, timeout: 30s}\ny: &b {interval: 2m, provider: generic}\nspec:\n  <<: [*a, *b]\n  image: ghcr.io/acme/app\n  timeout: 20s\n`;
    const manifest = parseManifestText('file:///t.yaml', same);
    assert.deepEqual(manifest.documents[0]!.chunk.value && (manifest.documents[0]!.chunk.value as { spec: unknown }).spec,
      { interval: '1m', timeout: '20s', provider: 'generic', image: 'ghcr.io/acme/app' });
  });

  test('reports the document with an alias to a missing anchor, where the alias stands', () => {
    const diagnostics = check(`${head}spec:\n  interval: *every\n  image: ghcr.io/acme/app\n`);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.message, at(d)]), [['yaml.UNKNOWN_ANCHOR', "unknown anchor 'every' referenced", '6:12-6:18']]);
    assert.equal(parseManifestText('file:///t.yaml', `${head}spec:\n  interval: *every\n`).objects.imageRepositories.length, 0);
  });

  test('validates the value kubectl sends for YAML 1.1 booleans, octal and sexagesimal scalars', () => {
    assert.deepEqual(check(repo('  image: ghcr.io/acme/app\n  interval: 5m\n  suspend: yes\n  insecure: off\n')), []);
    const [object] = parseManifestText('file:///t.yaml', repo('  image: ghcr.io/acme/app\n  interval: 5m\n  suspend: on\n')).objects.imageRepositories;
    assert.equal(object?.spec.suspend, true);
    assert.deepEqual(check(repo('  image: ghcr.io/acme/app\n  interval: 1:30\n')).map((d) => d.code), ['schema.pattern']);
    assert.deepEqual(check(repo('  image: ghcr.io/acme/app\n  interval: 5m\n  suspend: "yes"\n')).map((d) => d.message), ['spec.suspend must be a boolean.']);
    assert.deepEqual(check(repo('  image: ghcr.io/acme/app\n  interval: 0755\n')).map((d) => d.message), ['spec.interval must be a string.']);
  });

  test('reports a duplicate key with the positions of both', () => {
    const [d, ...rest] = check(repo('  image: ghcr.io/acme/app\n  interval: 5m\n  interval: 10m\n'));
    assert.deepEqual(rest, []);
    assert.equal(d?.code, 'yaml.DUPLICATE_KEY');
    assert.equal(d.message, 'mapping key "interval" already defined at line 8');
    assert.equal(at(d), '8:2-8:10');
  });
});

describe('only manifests are manifests', () => {
  test('a document with Go template actions gets one information note and no other diagnostic', () => {
    const text = `${repo('  image: {{ .Values.image }}\n  interval: 5m\n')}\n---\n${repo('  image: {{ .Values.other }}\n  interval: {{ .Values.every }}\n')}`;
    assert.deepEqual(check(text).map((d) => [d.code, d.severity, at(d)]), [['template.skipped', 3, '0:0-0:0']]);
    assert.equal(parseManifestText('file:///t.yaml', text).objects.imageRepositories.length, 0);
  });

  test('a plain document beside a templated one is still checked', () => {
    const text = `${repo('  image: {{ .Values.image }}\n  interval: 5m\n')}\n---\n${repo('  image: ghcr.io/acme/app:1.0\n  interval: 5m\n')}`;
    assert.deepEqual(check(text).map((d) => d.code), ['template.skipped', 'image.tag']);
  });

  test('catches kind ImageRepository under another Flux group, with a fix to image.toolkit.fluxcd.io/v1', () => {
    const [d, ...rest] = check(repo('  image: ghcr.io/acme/app\n  interval: 5m\n', 'apiVersion: source.toolkit.fluxcd.io/v1beta2'));
    assert.deepEqual(rest, []);
    assert.equal(d?.code, 'apiVersion.noMatch');
    assert.equal(d.message, 'no matches for kind "ImageRepository" in version "source.toolkit.fluxcd.io/v1beta2": ImageRepository is served by image.toolkit.fluxcd.io/v1');
    assert.equal(at(d), '0:12-0:44');
    assert.deepEqual(d.data?.fixes, [{ title: 'Change to image.toolkit.fluxcd.io/v1 ImageRepository', preferred: true, edits: [{ range: d.range, newText: 'image.toolkit.fluxcd.io/v1' }] }]);
  });

  test('catches a misspelled group and a misspelled kind, and leaves real kinds and other groups alone', () => {
    assert.deepEqual(check(repo('  image: a/b\n  interval: 5m\n', 'apiVersion: image.toolkit.fluxcd.com/v1')).map((d) => d.code), ['apiVersion.noMatch']);
    const kind = check('apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImageRepositry\nmetadata:\n  name: a\n');
    assert.deepEqual(kind.map((d) => [d.code, d.message, at(d)]), [['kind.noMatch', 'no matches for kind "ImageRepositry" in version "image.toolkit.fluxcd.io/v1": did you mean ImageRepository?', '1:6-1:20']]);
    assert.equal(kind[0]!.data?.fixes[0]!.edits[0]!.newText, 'ImageRepository');
    assert.deepEqual(check('apiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata:\n  name: a\n').map((d) => d.code), ['schema.required']);
    assert.deepEqual(check('apiVersion: example.com/v1\nkind: ImageRepository\nmetadata:\n  name: a\n'), []);
    assert.deepEqual(check('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n'), []);
  });

  test('says "did you mean" for an unknown field close to a real one, with a rename fix', () => {
    const diagnostics = check(repo('  image: a/b\n  interval: 5m\n  allowInsecure: true\n  exclusionlist: []\n  secretRefs:\n    name: x\n  scanEverything: true\n'));
    assert.deepEqual(diagnostics.map((d) => d.message.replace(/^.*\)\.\s?/, '')), [
      'Did you mean spec.insecure?', 'Did you mean spec.exclusionList?', 'Did you mean spec.secretRef?', '',
    ]);
    assert.deepEqual(diagnostics[1]!.data?.fixes, [{ title: 'Rename to exclusionList', preferred: true, edits: [{ range: diagnostics[1]!.range, newText: 'exclusionList' }] }]);
    assert.equal(diagnostics[3]!.data, undefined);
  });
});
