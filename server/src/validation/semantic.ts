// Checks the CRD schema cannot express, in the controller's own words where it has them
// (image-reflector-controller api/v1/imagerepository_types.go and the served versions of
// config/crd/bases/image.toolkit.fluxcd.io_imagerepositories.yaml; internal/registry/helper.go
// `ParseImageReference`; `filterOutTags` in internal/controller/imagerepository_controller.go; the
// ObjectLevelWorkloadIdentity gate of fluxcd/pkg auth).
import { isScalar, type Node } from 'yaml';
import type { ParsedChunk } from '../../../common/manifests';
import { repositoryOf } from '../../../common/manifests';
import { INTERVAL_PATTERN, parseGoDuration, TIMEOUT_PATTERN } from '../../../common/flux/duration';
import { compileExclusion, DEFAULT_EXCLUSION } from '../../../common/flux/exclusion';
import { parseImageReference } from '../../../common/flux/reference';
import { FLUX_IMAGE_GROUP } from '../../../common/manifests';
import { policyDiagnostics } from './policy';
import { Severity, SOURCE, type QuickFix, type SeverityValue, type TaglineDiagnostic } from './types';
import { keyAt, nodeAt, nodeRange, scalarText } from '../../../common/manifests/yamlPath';

export const SERVED_API_VERSION = `${FLUX_IMAGE_GROUP}/v1`;
const CLOUD_PROVIDERS = new Set(['aws', 'azure', 'gcp']);
const FEATURE_GATE_MESSAGE =
  'to use spec.serviceAccountName for provider authentication please enable the ObjectLevelWorkloadIdentity feature gate in the controller';

class Collector {
  readonly diagnostics: TaglineDiagnostic[] = [];
  constructor(readonly chunk: ParsedChunk) {}

  /** The node at `path` (a key with `key: true`); the tree is built only here, when there is a problem. */
  node(path: (string | number)[], key = false): Node | undefined {
    return key ? keyAt(this.chunk.doc, path) : nodeAt(this.chunk.doc, path);
  }

  add(node: Node | undefined, severity: SeverityValue, code: string, message: string, fixes?: QuickFix[]): void {
    const range = nodeRange(this.chunk.lines, node);
    if (!range) return;
    this.diagnostics.push({ range, severity, code, source: SOURCE, message, ...(fixes?.length ? { data: { fixes } } : {}) });
  }

  replaceFix(title: string, node: Node, newValue: string): QuickFix {
    return { title, edits: [{ range: nodeRange(this.chunk.lines, node)!, newText: scalarText(node, newValue) }], preferred: true };
  }
}

function checkImage(c: Collector, spec: Record<string, unknown>): void {
  if (typeof spec.image !== 'string') return;
  const image = spec.image;
  const parsed = parseImageReference(image, spec.insecure === true);
  if (parsed.ok) return;
  const node = c.node(['spec', 'image']);
  if (!isScalar(node)) return;
  const fixes: QuickFix[] = [];
  if (parsed.kind === 'scheme') {
    const withoutScheme = image.split('://').slice(1).join('://');
    fixes.push(c.replaceFix(`Remove '${image.split('://')[0]}://' from spec.image`, node, withoutScheme));
  } else if (parsed.kind === 'tag') {
    const repository = repositoryOf(image);
    if (repository !== image && parseImageReference(repository).ok) {
      fixes.push(c.replaceFix(`Remove '${image.slice(repository.length)}' from spec.image`, node, repository));
    }
  }
  const message = parsed.detail && parsed.kind === 'invalid' ? `${parsed.message} (${parsed.detail})` : parsed.message;
  c.add(node, Severity.Error, `image.${parsed.kind}`, message, fixes);
}

/** Compile results per pattern: the same few patterns repeat across a workspace, and RE2 compiling is not free. */
const compiledPatterns = new Map<string, string | null>();

function exclusionError(pattern: string): string | null {
  let error = compiledPatterns.get(pattern);
  if (error === undefined) {
    const compiled = compileExclusion(pattern);
    error = compiled.ok ? null : compiled.message;
    if (compiledPatterns.size > 5000) compiledPatterns.clear();
    compiledPatterns.set(pattern, error);
  }
  return error;
}

function checkExclusionList(c: Collector, spec: Record<string, unknown>): void {
  if (!Array.isArray(spec.exclusionList)) return;
  if (spec.exclusionList.length === 0) {
    c.add(c.node(['spec', 'exclusionList'], true), Severity.Warning, 'exclusionList.empty',
      `An empty exclusionList still excludes ${DEFAULT_EXCLUSION}: the controller treats [] like an absent list. ` +
      'To keep .sig tags, list a pattern that never matches instead.');
    return;
  }
  spec.exclusionList.forEach((pattern: unknown, i) => {
    if (typeof pattern !== 'string') return;
    const error = exclusionError(pattern);
    if (error !== null) c.add(c.node(['spec', 'exclusionList', i]), Severity.Error, 'exclusionList.invalidRegex', `failed to compile regex ${pattern}: ${error}`);
  });
}

function checkServiceAccount(c: Collector, spec: Record<string, unknown>): void {
  if (typeof spec.serviceAccountName !== 'string' || spec.serviceAccountName === '') return;
  if (typeof spec.provider === 'string' && CLOUD_PROVIDERS.has(spec.provider)) {
    // Off by default since Flux 2.6; if a cluster has it on, this is fine, hence a warning.
    c.add(c.node(['spec', 'serviceAccountName']), Severity.Warning, 'serviceAccountName.featureGate', FEATURE_GATE_MESSAGE);
  }
}

function checkDurations(c: Collector, spec: Record<string, unknown>): void {
  // Values the CRD pattern rejects already have a schema error; Go would still parse some of them (`1h` timeout).
  const interval = typeof spec.interval === 'string' && INTERVAL_PATTERN.test(spec.interval) ? parseGoDuration(spec.interval) : undefined;
  const timeout = typeof spec.timeout === 'string' && TIMEOUT_PATTERN.test(spec.timeout) ? parseGoDuration(spec.timeout) : undefined;
  if (interval !== undefined && interval < 1000) {
    c.add(c.node(['spec', 'interval']), Severity.Warning, 'interval.tooShort',
      `interval ${String(spec.interval)} is under 1s: the controller counts the repository as always due and rescans it on every reconcile.`);
  }
  if (interval !== undefined && timeout !== undefined && timeout > interval) {
    c.add(c.node(['spec', 'timeout']), Severity.Warning, 'timeout.exceedsInterval',
      `timeout ${String(spec.timeout)} is longer than interval ${String(spec.interval)}: a slow scan would still be running when the next one is due.`);
  }
}

/** Checks that depend only on this document's text (cached per document by the caller). */
export function semanticDiagnostics(chunk: ParsedChunk): TaglineDiagnostic[] {
  if (chunk.isImagePolicy) return policyDiagnostics(chunk);
  const c = new Collector(chunk);
  const top = chunk.value as Record<string, unknown>;
  const spec = top && typeof top === 'object' ? top.spec : undefined;
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    const s = spec as Record<string, unknown>;
    checkImage(c, s);
    checkExclusionList(c, s);
    checkServiceAccount(c, s);
    checkDurations(c, s);
  }
  return c.diagnostics;
}
