// Validation of whole files, with no LSP connection: the server publishes the result, `tagline check` prints it.
// What depends only on a document's text is cached per parsed document; references are recomputed each time
// from the index, which is cheap.
import type { DetectedFlux } from '../../../common/flux/fluxVersion';
import type { ManifestDocument, ParsedChunk, ParsedManifest } from '../../../common/manifests';
import { apiVersionDiagnostics, isImageKind } from './apiVersions';
import { nearMissDiagnostics } from './nearMiss';
import { referenceDiagnostics, type ReferenceIndex } from './references';
import { schemaDiagnostics } from './schemaDiagnostics';
import { semanticDiagnostics } from './semantic';
import { markerDiagnostics, type MarkerPolicyIndex } from './markers';
import { SCREENING_TOKEN } from '../../../common/flux/markers/markers';
import { byPosition, Severity, shiftDiagnostic, SOURCE, type TaglineDiagnostic } from './types';

const textChecks = new WeakMap<ParsedChunk, TaglineDiagnostic[]>();
/** Reference checks per document, valid while the same index (same Secrets and ServiceAccounts) is used. */
const referenceChecks = new WeakMap<ParsedChunk, { index: ReferenceIndex; diagnostics: TaglineDiagnostic[] }>();

function checkReferences(chunk: ParsedChunk, index: ReferenceIndex): TaglineDiagnostic[] {
  const cached = referenceChecks.get(chunk);
  if (cached?.index === index) return cached.diagnostics;
  const diagnostics = referenceDiagnostics(chunk, index);
  referenceChecks.set(chunk, { index, diagnostics });
  return diagnostics;
}

/** The kinds validated in full. */
const VALIDATED_KINDS = /kind:\s*(ImageRepository|ImagePolicy|ImageUpdateAutomation)\b/;

export function isImageUpdateAutomation(chunk: ParsedChunk): boolean {
  return chunk.kind === 'ImageUpdateAutomation' && chunk.apiVersion?.startsWith('image.toolkit.fluxcd.io/') === true;
}

/**
 * An ImageRepository, ImagePolicy or ImageUpdateAutomation, or a document so broken that its kind is unknown but
 * its text says it is one.
 */
export function isOurDocument(chunk: ParsedChunk): boolean {
  if (chunk.isImageRepository || chunk.isImagePolicy || isImageUpdateAutomation(chunk)) return true;
  // Text first: reading syntaxErrors makes a lazily parsed document parse.
  return chunk.text.includes('image.toolkit.fluxcd.io/') && VALIDATED_KINDS.test(chunk.text) && chunk.syntaxErrors.length > 0;
}

function checkText(chunk: ParsedChunk): TaglineDiagnostic[] {
  let diagnostics = textChecks.get(chunk);
  if (!diagnostics) {
    if (chunk.syntaxErrors.length > 0) {
      // On a broken tree, schema errors would only repeat the syntax error in confusing words.
      diagnostics = chunk.syntaxErrors.map((error) => ({
        range: error.range, severity: Severity.Error, code: `yaml.${error.code}`, source: SOURCE, message: error.message,
      }));
    } else {
      const semantic = chunk.isImageRepository || chunk.isImagePolicy ? semanticDiagnostics(chunk) : [];
      diagnostics = [...schemaDiagnostics(chunk), ...semantic].sort(byPosition);
    }
    textChecks.set(chunk, diagnostics);
  }
  return diagnostics;
}

/** Whole results per document wrapper (same text, same place), valid while the same indexes and Flux are used. */
const documentChecks = new WeakMap<ManifestDocument, { index: ReferenceIndex; flux: readonly DetectedFlux[]; markers: MarkerPolicyIndex; diagnostics: TaglineDiagnostic[] }>();

/**
 * Diagnostics of one document. `flux` is the Flux the workspace runs (`detectFluxVersions`); pass the same array
 * while it does not change, so results stay cached. Empty means none was found. `markers` resolves the policies
 * image-update markers name (the ImagePolicies as Flux applies them; `index` by default).
 */
export function validateDocument(document: ManifestDocument, index: ReferenceIndex, flux: readonly DetectedFlux[] = NO_FLUX, markers: MarkerPolicyIndex = index): TaglineDiagnostic[] {
  const cached = documentChecks.get(document);
  if (cached?.index === index && cached.flux === flux && (cached.markers === markers || !document.chunk.text.includes(SCREENING_TOKEN))) return cached.diagnostics;
  const diagnostics = checkDocument(document, index, flux, markers);
  documentChecks.set(document, { index, flux, markers, diagnostics });
  return diagnostics;
}

const NO_FLUX: readonly DetectedFlux[] = [];

function checkDocument(document: ManifestDocument, index: ReferenceIndex, flux: readonly DetectedFlux[], policies: MarkerPolicyIndex): TaglineDiagnostic[] {
  const { chunk } = document;
  const markers = markerDiagnostics(chunk, policies).map((d) => shiftDiagnostic(d, document.startLine));
  if (!isOurDocument(chunk)) {
    const nearMisses = nearMissDiagnostics(chunk).map((d) => shiftDiagnostic(d, document.startLine));
    return nearMisses.length > 0 ? [...nearMisses, ...markers].sort(byPosition) : markers;
  }
  if (markers.length > 0) return [...checkOurDocument(document, index, flux), ...markers].sort(byPosition);
  return checkOurDocument(document, index, flux);
}

function checkOurDocument(document: ManifestDocument, index: ReferenceIndex, flux: readonly DetectedFlux[]): TaglineDiagnostic[] {
  const { chunk } = document;
  const healthy = chunk.syntaxErrors.length === 0;
  const own = checkText(chunk);
  // Every image.toolkit.fluxcd.io kind's apiVersion is judged beside the kind's own checks.
  const imageKind = isImageKind(chunk.kind) && chunk.apiVersion?.startsWith('image.toolkit.fluxcd.io/') === true;
  const served = healthy && imageKind ? apiVersionDiagnostics(chunk, flux) : [];
  const references = healthy && (chunk.isImageRepository || chunk.isImagePolicy) ? checkReferences(chunk, index) : [];
  if (own.length === 0 && references.length === 0 && served.length === 0) return [];
  const all = references.length === 0 && served.length === 0 ? own : [...served, ...own, ...references].sort(byPosition);
  return all.map((d) => shiftDiagnostic(d, document.startLine));
}

const TEMPLATE_NOTES = {
  chart: 'Helm chart template: Go template source is not checked as a manifest (check what `helm template` renders instead).',
  actions: 'Go template actions ({{ … }}): this document is not checked as a manifest until it is rendered.',
};

/** One information note per file on its first Go-template document: template source is not validated. */
function templateNote(manifest: ParsedManifest): TaglineDiagnostic | undefined {
  const first = manifest.documents.find((document) => document.chunk.template);
  if (!first) return undefined;
  const at = { line: first.startLine, character: 0 };
  return { range: { start: at, end: at }, severity: Severity.Information, code: 'template.skipped', source: SOURCE, message: TEMPLATE_NOTES[first.chunk.template!] };
}

/**
 * Diagnostics of every document of a file, judging apiVersions against `flux` (empty: no Flux version found) and
 * resolving markers against `markers` (see validateDocument).
 */
export function validateManifest(manifest: ParsedManifest, index: ReferenceIndex, flux: readonly DetectedFlux[] = NO_FLUX, markers: MarkerPolicyIndex = index): TaglineDiagnostic[] {
  const out: TaglineDiagnostic[] = [];
  const note = templateNote(manifest);
  if (note) out.push(note);
  for (const document of manifest.documents) out.push(...validateDocument(document, index, flux, markers));
  return out;
}
