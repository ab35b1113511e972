// Validation of whole files, with no LSP connection: the server publishes the result, `tagline check` prints it.
// What depends only on a document's text is cached per parsed document; references are recomputed each time
// from the index, which is cheap.
import type { ManifestDocument, ParsedChunk, ParsedManifest } from '../../../common/manifests';
import { referenceDiagnostics, type ReferenceIndex } from './references';
import { schemaDiagnostics } from './schemaDiagnostics';
import { semanticDiagnostics } from './semantic';
import { markerDiagnostics } from './markers';
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

/** An ImageRepository or ImagePolicy, or a document so broken that its kind is unknown but its text says it is one. */
export function isOurDocument(chunk: ParsedChunk): boolean {
  if (chunk.isImageRepository || chunk.isImagePolicy) return true;
  // Text first: reading syntaxErrors makes a lazily parsed document parse.
  return chunk.text.includes('image.toolkit.fluxcd.io/') && /kind:\s*Image(Repository|Policy)\b/.test(chunk.text) && chunk.syntaxErrors.length > 0;
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
      diagnostics = [...schemaDiagnostics(chunk), ...semanticDiagnostics(chunk)].sort(byPosition);
    }
    textChecks.set(chunk, diagnostics);
  }
  return diagnostics;
}

/** Whole results per document wrapper (same text, same place), valid while the same index is used. */
const documentChecks = new WeakMap<ManifestDocument, { index: ReferenceIndex; diagnostics: TaglineDiagnostic[] }>();

export function validateDocument(document: ManifestDocument, index: ReferenceIndex): TaglineDiagnostic[] {
  const cached = documentChecks.get(document);
  if (cached?.index === index) return cached.diagnostics;
  const diagnostics = checkDocument(document, index);
  documentChecks.set(document, { index, diagnostics });
  return diagnostics;
}

function checkDocument(document: ManifestDocument, index: ReferenceIndex): TaglineDiagnostic[] {
  const { chunk } = document;
  const markers = markerDiagnostics(chunk, index).map((d) => shiftDiagnostic(d, document.startLine));
  if (!isOurDocument(chunk)) return markers;
  if (markers.length > 0) return [...checkOurDocument(document, index), ...markers].sort(byPosition);
  return checkOurDocument(document, index);
}

function checkOurDocument(document: ManifestDocument, index: ReferenceIndex): TaglineDiagnostic[] {
  const { chunk } = document;
  const own = checkText(chunk);
  const references = chunk.syntaxErrors.length === 0 ? checkReferences(chunk, index) : [];
  if (own.length === 0 && references.length === 0) return [];
  const all = references.length === 0 ? own : [...own, ...references].sort(byPosition);
  return all.map((d) => shiftDiagnostic(d, document.startLine));
}

export function validateManifest(manifest: ParsedManifest, index: ReferenceIndex): TaglineDiagnostic[] {
  const out: TaglineDiagnostic[] = [];
  for (const document of manifest.documents) out.push(...validateDocument(document, index));
  return out;
}
