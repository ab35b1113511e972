// YAML text → documents → typed objects with source positions. Each document is parsed on its own (see
// chunks.ts), so a cache keyed by document text lets an editor re-parse only what an edit touched.
import { isScalar, parseDocument, type Document, type Node } from 'yaml';
import { specHash } from '../flux/generation';
import type {
  ImageRepositoryObject, ImageRepositorySpec, Range, SecretObject, ServiceAccountObject, WorkspaceObjects,
} from '../model';
import { checkImageRepositorySchema, type SchemaError } from './admission';
import { lineStarts, splitDocuments } from './chunks';
import {
  collectImageNames, isFluxImageRepository, isRecord, objectMeta, secretObject, serviceAccountObject,
} from './objects';
import { LineIndex, shiftRange } from './positions';

export interface SyntaxProblem { range: Range; message: string; code: string }

/** One document, parsed with positions relative to its own first line (so it survives edits elsewhere). */
export interface ParsedChunk {
  text: string;
  doc: Document.Parsed;
  lines: LineIndex;
  /** The document as plain data, or undefined when it could not be converted (e.g. too many aliases). */
  value: unknown;
  apiVersion?: string;
  kind?: string;
  /** apiVersion `image.toolkit.fluxcd.io/*` and kind `ImageRepository`: the documents this tool is about. */
  isImageRepository: boolean;
  syntaxErrors: SyntaxProblem[];
  /** Errors against schemas/imagerepository-v1.json (ImageRepository documents only). */
  schemaErrors: SchemaError[];
  /** Relative range of the whole document and of the `spec.image` value. */
  range: Range;
  imageRange?: Range;
  imageRepository?: Omit<ImageRepositoryObject, 'source'>;
  secret?: Omit<SecretObject, 'source'>;
  serviceAccount?: Omit<ServiceAccountObject, 'source'>;
  imageNames: string[];
}

export interface ManifestDocument {
  uri: string;
  /** Index of the document in the file (`---`). */
  index: number;
  /** Line of the document's first line in the file. */
  startLine: number;
  chunk: ParsedChunk;
  /** Whole-file range of the document. */
  range: Range;
  imageRepository?: ImageRepositoryObject;
  secret?: SecretObject;
  serviceAccount?: ServiceAccountObject;
}

export interface ParsedManifest {
  uri: string;
  documents: ManifestDocument[];
  objects: WorkspaceObjects;
  /** Repositories (no tag) named by any document, for spec.image completion. */
  imageNames: string[];
}

export type ChunkCache = Map<string, ParsedChunk>;

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

export function parseChunk(text: string): ParsedChunk {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  const lines = new LineIndex(lineStarts(text));
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch {
    value = undefined;
  }
  const top = isRecord(value) ? value : undefined;
  const apiVersion = typeof top?.apiVersion === 'string' ? top.apiVersion : undefined;
  const kind = typeof top?.kind === 'string' ? top.kind : undefined;
  const isImageRepository = isFluxImageRepository(apiVersion, kind);
  const syntaxErrors = doc.errors.map((error) => ({
    range: lines.rangeAt(error.pos[0], Math.max(error.pos[1], error.pos[0])),
    message: firstLine(error.message),
    code: error.code,
  }));
  const contents = doc.contents as Node | null;
  const range = contents?.range
    ? lines.rangeAt(contents.range[0], contents.range[1])
    : lines.rangeAt(0, text.length);
  const chunk: ParsedChunk = {
    text, doc, lines, value, apiVersion, kind, isImageRepository, syntaxErrors, schemaErrors: [], range, imageNames: [],
  };

  if (isImageRepository && top) {
    chunk.schemaErrors = checkImageRepositorySchema(top);
    const imageNode = doc.getIn(['spec', 'image'], true) as Node | undefined;
    if (isScalar(imageNode) && imageNode.range) chunk.imageRange = lines.rangeAt(imageNode.range[0], imageNode.range[1]);
    const metadata = objectMeta(top.metadata);
    if (chunk.schemaErrors.length === 0 && syntaxErrors.length === 0 && metadata) {
      const spec = top.spec as ImageRepositorySpec;
      chunk.imageRepository = { apiVersion: apiVersion!, kind: 'ImageRepository', metadata, spec, specHash: specHash(spec) };
    }
    if (typeof (top.spec as Record<string, unknown> | undefined)?.image === 'string') {
      chunk.imageNames.push(((top.spec as Record<string, unknown>).image as string).trim());
    }
  } else if (top && apiVersion === 'v1' && kind === 'Secret') {
    chunk.secret = secretObject(top);
  } else if (top && apiVersion === 'v1' && kind === 'ServiceAccount') {
    chunk.serviceAccount = serviceAccountObject(top);
  } else if (top) {
    const names = new Set<string>();
    collectImageNames(top, names);
    chunk.imageNames = [...names];
  }
  return chunk;
}

function parseChunkCached(text: string, cache?: ChunkCache): ParsedChunk {
  if (!cache) return parseChunk(text);
  let chunk = cache.get(text);
  if (!chunk) {
    chunk = parseChunk(text);
    cache.set(text, chunk);
  }
  return chunk;
}

export function manifestDocument(uri: string, index: number, startLine: number, chunk: ParsedChunk): ManifestDocument {
  const range = shiftRange(chunk.range, startLine);
  const document: ManifestDocument = { uri, index, startLine, chunk, range };
  const source = { uri, documentIndex: index, range };
  if (chunk.imageRepository) {
    const imageRange = chunk.imageRange ? shiftRange(chunk.imageRange, startLine) : undefined;
    document.imageRepository = { ...chunk.imageRepository, source: imageRange ? { ...source, imageRange } : source };
  }
  if (chunk.secret) document.secret = { ...chunk.secret, source };
  if (chunk.serviceAccount) document.serviceAccount = { ...chunk.serviceAccount, source };
  return document;
}

/**
 * Parses a whole file. With a cache (kept per open document by the server), unchanged documents are reused and
 * only their line offsets move.
 */
export function parseManifestText(uri: string, text: string, cache?: ChunkCache): ParsedManifest {
  const documents: ManifestDocument[] = [];
  const objects: WorkspaceObjects = { imageRepositories: [], secrets: [], serviceAccounts: [] };
  const imageNames = new Set<string>();
  const used = cache ? new Map<string, ParsedChunk>() : undefined;
  splitDocuments(text).forEach((piece, index) => {
    const chunk = parseChunkCached(piece.text, cache);
    used?.set(piece.text, chunk);
    const document = manifestDocument(uri, index, piece.startLine, chunk);
    documents.push(document);
    if (document.imageRepository) objects.imageRepositories.push(document.imageRepository);
    if (document.secret) objects.secrets.push(document.secret);
    if (document.serviceAccount) objects.serviceAccounts.push(document.serviceAccount);
    for (const name of chunk.imageNames) imageNames.add(name);
  });
  if (cache && used) {
    // Keep only what the current text uses, so the cache cannot grow with every keystroke.
    cache.clear();
    for (const [text, chunk] of used) cache.set(text, chunk);
  }
  return { uri, documents, objects, imageNames: [...imageNames] };
}

/** The document that holds a whole-file line. */
export function documentAtLine(manifest: ParsedManifest, line: number): ManifestDocument | undefined {
  let found: ManifestDocument | undefined;
  for (const document of manifest.documents) {
    if (document.startLine <= line) found = document;
    else break;
  }
  return found;
}

