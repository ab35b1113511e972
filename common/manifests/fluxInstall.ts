// Finds the Flux version a workspace runs, from what `flux bootstrap`, `flux install --export` and Flux Operator
// leave in the repository: gotk-components.yaml (its `# Flux Version:` header, the `app.kubernetes.io/version`
// labels on every object, the controllers' image tags, the CRDs it contains) and FluxInstance objects.
import { fluxLabel, FLUX_SOURCE_KINDS, resolveFluxVersion, type DetectedFlux, type FluxSourceKind } from '../flux/fluxVersion';
import { fluxMinorOfController, fluxMinorServing, type ImageKind } from '../flux/servedVersions';
import { isRecord } from './objects';
import type { ManifestDocument, ParsedChunk } from './parse';

// flux2 pkg/manifestgen/install/install.go (Generate) writes this header into gotk-components.yaml.
const HEADER = /^# Flux Version: (v?\d+\.\d+\.\d+)\s*$/m;
// flux2 pkg/manifestgen/labels.go: every object of an install carries both labels.
const PART_OF_FLUX = /^\s+app\.kubernetes\.io\/part-of: ["']?flux["']?\s*$/m;
const VERSION_LABEL = /^\s+app\.kubernetes\.io\/version: ["']?(v?\d+\.\d+\.\d+)["']?\s*$/m;
// A kustomization.yaml pulling Flux's own install manifest.
const INSTALL_URL = /fluxcd\/flux2\/(?:releases\/download\/|manifests\/install\?ref=|\/\/manifests\/install\?ref=)(v\d+\.\d+\.\d+)/;
const CONTROLLER_IMAGE = /fluxcd\/(image-reflector-controller|image-automation-controller):(v\d+\.\d+\.\d+)\b/;
const CRD_NAMES: Record<string, ImageKind> = {
  'imagerepositories.image.toolkit.fluxcd.io': 'ImageRepository',
  'imagepolicies.image.toolkit.fluxcd.io': 'ImagePolicy',
  'imageupdateautomations.image.toolkit.fluxcd.io': 'ImageUpdateAutomation',
};

/** The last four segments of a file URI, enough to tell clusters/prod from clusters/staging. */
export function shortPath(uri: string): string {
  const path = decodeURIComponent(uri.replace(/^file:\/\//, ''));
  return path.split('/').filter(Boolean).slice(-4).join('/');
}

function found(kind: FluxSourceKind, written: string, source: string, uri: string): DetectedFlux | undefined {
  const resolved = resolveFluxVersion(written);
  if (!resolved) return undefined;
  const constraint = /^v?\d+\.\d+\.\d+$/.test(written.trim()) ? undefined : written.trim();
  return { ...resolved, kind, source: `${source} in ${shortPath(uri)}`, uri, ...(constraint ? { constraint } : {}) };
}

/**
 * Flux Operator's FluxInstance (`fluxcd.controlplane.io/v1`, controlplaneio-fluxcd/flux-operator docs/api/v1
 * fluxinstance.md "Distribution version"): `spec.distribution.version` is a semver range (`2.x`, `2.6.x`) and the
 * operator installs the newest Flux release it allows.
 */
function fromFluxInstance(chunk: ParsedChunk, uri: string): DetectedFlux | undefined {
  const value = chunk.value;
  if (!isRecord(value) || !isRecord(value.spec) || !isRecord(value.spec.distribution)) return undefined;
  const version = value.spec.distribution.version;
  const name = isRecord(value.metadata) && typeof value.metadata.name === 'string' ? value.metadata.name : '?';
  if (typeof version !== 'string') return undefined;
  return found('FluxInstance', version, `FluxInstance ${name} spec.distribution.version ${JSON.stringify(version)}`, uri);
}

function fromCrd(chunk: ParsedChunk, uri: string): DetectedFlux | undefined {
  const value = chunk.value;
  if (!isRecord(value) || !isRecord(value.metadata) || !isRecord(value.spec) || !Array.isArray(value.spec.versions)) return undefined;
  const kind = CRD_NAMES[String(value.metadata.name)];
  if (!kind) return undefined;
  const served = value.spec.versions.filter((v) => isRecord(v) && v.served === true).map((v) => String((v as Record<string, unknown>).name));
  const minor = fluxMinorServing(kind, served);
  if (!minor) return undefined;
  return { version: minor, minor, kind: 'crd', source: `the ${kind} CRD (serves ${served.join(', ')}) in ${shortPath(uri)}`, uri };
}

/** What one document says about the Flux version, if anything. */
export function fluxEvidence(document: ManifestDocument): DetectedFlux | undefined {
  const { chunk, uri } = document;
  const text = chunk.text;
  if (chunk.kind === 'FluxInstance' && chunk.apiVersion?.startsWith('fluxcd.controlplane.io/')) return fromFluxInstance(chunk, uri);
  const header = HEADER.exec(text);
  if (header) return found('install', header[1], `the "# Flux Version" header`, uri);
  const label = PART_OF_FLUX.test(text) ? VERSION_LABEL.exec(text) : null;
  if (label) return found('install', label[1], `the app.kubernetes.io/version label of ${chunk.kind ?? 'an object'}`, uri);
  const url = INSTALL_URL.exec(text);
  if (url) return found('install', url[1], `the flux2 install manifest ${url[1]}`, uri);
  const image = CONTROLLER_IMAGE.exec(text);
  if (image) {
    const controller = image[1] as 'image-reflector-controller' | 'image-automation-controller';
    const minor = fluxMinorOfController(controller, image[2]);
    if (minor) return { version: minor, minor, kind: 'controller', source: `the ${controller}:${image[2]} image in ${shortPath(uri)}`, uri };
  }
  if (chunk.kind === 'CustomResourceDefinition' && text.includes('image.toolkit.fluxcd.io')) return fromCrd(chunk, uri);
  return undefined;
}

/**
 * The Flux version(s) of a workspace: `setting` (tagline.fluxVersion) wins; otherwise the strongest kind of
 * evidence found (FluxInstance, then install manifests, then controller images, then CRDs), one entry per Flux
 * minor it names (a fleet repository may hold clusters at different versions). Empty when nothing says.
 * `settingError` says so when the setting is not a version or range (what the manifests say is used then).
 */
export function detectFluxVersions(
  documents: Iterable<ManifestDocument>, setting?: string, settingName = 'tagline.fluxVersion',
): { found: DetectedFlux[]; settingError?: string } {
  if (setting !== undefined && setting.trim() !== '') {
    const resolved = resolveFluxVersion(setting);
    if (resolved) {
      const constraint = /^v?\d+\.\d+\.\d+$/.test(setting.trim()) ? undefined : setting.trim();
      return { found: [{ ...resolved, kind: 'setting', source: settingName, ...(constraint ? { constraint } : {}) }] };
    }
    const settingError = `${settingName} ${JSON.stringify(setting)} is not a Flux version or range Tagline knows (e.g. 2.6.4, 2.x)`;
    return { found: detectFluxVersions(documents).found, settingError };
  }
  const byKind = new Map<FluxSourceKind, DetectedFlux[]>();
  for (const document of documents) {
    const evidence = fluxEvidenceCached(document);
    if (!evidence) continue;
    const list = byKind.get(evidence.kind) ?? [];
    if (!list.some((f) => f.minor === evidence.minor)) list.push(evidence);
    byKind.set(evidence.kind, list);
  }
  for (const kind of FLUX_SOURCE_KINDS) {
    const list = byKind.get(kind);
    if (list?.length) return { found: list.sort((a, b) => a.minor.localeCompare(b.minor, undefined, { numeric: true })) };
  }
  return { found: [] };
}

/** Evidence per parsed document text: the workspace is re-read on every change, most documents are unchanged. */
const evidenceCache = new WeakMap<ParsedChunk, { uri: string; evidence: DetectedFlux | undefined }>();

function fluxEvidenceCached(document: ManifestDocument): DetectedFlux | undefined {
  const cached = evidenceCache.get(document.chunk);
  if (cached && cached.uri === document.uri) return cached.evidence;
  // Only documents that can hold evidence are looked at closely; most documents of a workspace cannot.
  const text = document.chunk.text;
  const relevant = text.includes('fluxcd') || text.includes('app.kubernetes.io/version') || text.includes('Flux Version');
  const evidence = relevant ? fluxEvidence(document) : undefined;
  evidenceCache.set(document.chunk, { uri: document.uri, evidence });
  return evidence;
}

/** One line for headers and tooltips: `Flux 2.6.4 (from …)`, or why none is known. */
export function describeFluxVersions(found: readonly DetectedFlux[]): string {
  if (found.length === 0) return 'Flux version: unknown (no gotk-components.yaml, Flux install manifest or FluxInstance found; set tagline.fluxVersion)';
  return `Flux version: ${found.map((f) => `${fluxLabel(f)} from ${f.source}`).join('; ')}`;
}
