// YAML text → documents → typed objects with source positions. Each document is parsed on its own (see
// chunks.ts), so a cache keyed by document text lets an editor re-parse only what an edit touched.
import { isScalar, parseDocument, type Node, type ParsedNode } from 'yaml';
import { specHash } from '../flux/generation';
import type {
  ImagePolicyObject, ImagePolicySpec, ImageRepositoryObject, ImageRepositorySpec, NamespaceObject, Range, SecretObject,
  ServiceAccountObject, SkippedObject, WorkspaceObjects,
} from '../model';
import {
  admissionReason, checkImagePolicySchema, checkImageRepositorySchema, checkImageUpdateAutomationSchema, type SchemaError,
} from './admission';
import { fastParse, fastTree } from './fastYaml';
import { goYamlProblems, KUBECTL_YAML } from './goYamlDocument';
import { hasTemplateActions, isHelmChartTemplate } from './templates';
import { lineStarts, splitDocuments } from './chunks';
import {
  collectImageNames, FLUX_IMAGE_GROUP, isFluxImagePolicy, isFluxImageRepository, isRecord, objectMeta, secretObject,
  serviceAccountObject,
} from './objects';
import { LineIndex, shiftRange } from './positions';
import { nodeAt } from './yamlPath';
import { errorMessage } from '../errors';

export interface SyntaxProblem { range: Range; message: string; code: string }

/** The parsed document's root node (from the fast path or from the `yaml` package). */
export interface YamlTree { contents: ParsedNode | null }

/** One document, parsed with positions relative to its own first line (so it survives edits elsewhere). */
export interface ParsedChunk {
  text: string;
  doc: YamlTree;
  lines: LineIndex;
  /** The document as plain data, or undefined when it could not be converted (e.g. too many aliases). */
  value: unknown;
  apiVersion?: string;
  kind?: string;
  /** apiVersion `image.toolkit.fluxcd.io/*` and kind `ImageRepository`: the documents this tool is about. */
  isImageRepository: boolean;
  /** apiVersion `image.toolkit.fluxcd.io/*` and kind `ImagePolicy`. */
  isImagePolicy: boolean;
  /**
   * Go-template source, not a manifest (see templates.ts): `chart` for a file of a Helm chart's `templates/`,
   * `actions` for a document with `{{ … }}`. Such a chunk is not parsed: no value, no errors, no objects.
   */
  template?: 'chart' | 'actions';
  /** A document of a kind Tagline does not read (Deployment, HelmRelease, …), not parsed until something asks. */
  deferred?: true;
  syntaxErrors: SyntaxProblem[];
  /** Errors against the schema of the document's kind and version (ImageRepository, ImagePolicy, ImageUpdateAutomation). */
  schemaErrors: SchemaError[];
  /** Relative range of the whole document (its full text, from the `---` line) and of the `spec.image` value. */
  range: Range;
  imageRange?: Range;
  imageRepository?: Omit<ImageRepositoryObject, 'source'>;
  /** An ImageRepository the API server would not hold (schema, missing name), with the reason. */
  skipped?: Omit<SkippedObject, 'source'>;
  imagePolicy?: Omit<ImagePolicyObject, 'source'>;
  namespace?: Omit<NamespaceObject, 'source'>;
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
  skipped?: SkippedObject;
  imagePolicy?: ImagePolicyObject;
  namespace?: NamespaceObject;
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

interface ParsedText {
  doc: YamlTree;
  value: unknown;
  errors: { pos: [number, number]; message: string; code: string }[];
  /** Offsets of the spec.image value when known without a tree. */
  imageOffsets?: [number, number];
}

function parseTree(text: string): ParsedText {
  const fast = fastParse(text);
  if (fast) {
    // Most documents never need their tree (validation reads plain values and asks for nodes only to place a
    // diagnostic), so it is built on first use.
    let contents: ParsedNode | null | undefined;
    const doc: YamlTree = {
      get contents() {
        if (contents === undefined) contents = fastTree(text)?.contents ?? (parseDocument(text, KUBECTL_YAML).contents as ParsedNode | null);
        return contents;
      },
    };
    return { doc, value: fast.value, errors: [], imageOffsets: fast.imageRange };
  }
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, KUBECTL_YAML);
  } catch (err) {
    // Pathological input (nesting deep enough to exhaust the stack): report it, never crash the server.
    const message = `could not parse this document: ${errorMessage(err)}`;
    return { doc: { contents: null }, value: undefined, errors: [{ pos: [0, 0], message, code: 'PARSE_FAILED' }] };
  }
  const errors = [...doc.errors.filter((error) => error.code !== 'DUPLICATE_KEY'), ...goYamlProblems(doc, text)];
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch {
    value = undefined;
  }
  return { doc: doc as YamlTree, value, errors };
}

// `apiVersion:`/`kind:` at column 0 with a plain value are top-level keys (block scalars and continuation
// lines are always indented), so a line scan tells the kind of most documents without parsing them.
const TOP_LEVEL_TYPE = /^(apiVersion|kind):[ \t]+([A-Za-z0-9][A-Za-z0-9._/-]*)[ \t]*(?:#.*)?\r?$/gm;

function declaredType(text: string): { apiVersion: string; kind: string } | undefined {
  let apiVersion: string | undefined;
  let kind: string | undefined;
  for (const m of text.matchAll(TOP_LEVEL_TYPE)) {
    if (m[1] === 'apiVersion') {
      if (apiVersion !== undefined) return undefined;
      apiVersion = m[2];
    } else {
      if (kind !== undefined) return undefined;
      kind = m[2];
    }
  }
  return apiVersion !== undefined && kind !== undefined ? { apiVersion, kind } : undefined;
}

/** Kinds whose content feeds diagnostics or the index, so they are parsed at once. */
function needsContent(type: { apiVersion: string; kind: string }): boolean {
  return type.apiVersion.startsWith(FLUX_IMAGE_GROUP + '/') ||
    (type.apiVersion === 'v1' && (type.kind === 'Secret' || type.kind === 'ServiceAccount' || type.kind === 'Namespace'));
}

/**
 * Any other kind (Deployments, HelmReleases, …) is parsed only if something asks for its tree, which only
 * completion of image names does; this keeps opening a big multi-document file fast.
 */
function lazyChunk(text: string, type: { apiVersion: string; kind: string }): ParsedChunk {
  let full: ParsedChunk | undefined;
  const load = () => (full ??= parseChunkNow(text));
  let lines: LineIndex | undefined;
  return {
    text,
    apiVersion: type.apiVersion,
    kind: type.kind,
    isImageRepository: false,
    isImagePolicy: false,
    deferred: true,
    schemaErrors: [],
    get lines() { return (lines ??= new LineIndex(lineStarts(text))); },
    get range() { return load().range; },
    get doc() { return load().doc; },
    get value() { return load().value; },
    get syntaxErrors() { return load().syntaxErrors; },
    get imageNames() { return load().imageNames; },
  };
}

function templateChunk(text: string, template: 'chart' | 'actions'): ParsedChunk {
  const lines = new LineIndex(lineStarts(text));
  return {
    text, doc: { contents: null }, lines, value: undefined, isImageRepository: false, isImagePolicy: false, template,
    syntaxErrors: [], schemaErrors: [], range: lines.rangeAt(0, text.length), imageNames: [],
  };
}

export function parseChunk(text: string, chartTemplate = false): ParsedChunk {
  if (chartTemplate) return templateChunk(text, 'chart');
  if (hasTemplateActions(text)) return templateChunk(text, 'actions');
  const type = declaredType(text);
  return type && !needsContent(type) ? lazyChunk(text, type) : parseChunkNow(text);
}

function parseChunkNow(text: string): ParsedChunk {
  const { doc, value, errors, imageOffsets } = parseTree(text);
  const lines = new LineIndex(lineStarts(text));
  const top = isRecord(value) ? value : undefined;
  const apiVersion = typeof top?.apiVersion === 'string' ? top.apiVersion : undefined;
  const kind = typeof top?.kind === 'string' ? top.kind : undefined;
  const isImageRepository = isFluxImageRepository(apiVersion, kind);
  const isImagePolicy = isFluxImagePolicy(apiVersion, kind);
  const syntaxErrors = errors.map((error) => ({
    range: lines.rangeAt(error.pos[0], Math.max(error.pos[1], error.pos[0])),
    message: firstLine(error.message),
    code: error.code,
  }));
  // The whole text of the document, from its `---` line: known without a tree.
  const range = lines.rangeAt(0, text.length);
  const chunk: ParsedChunk = {
    text, doc, lines, value, apiVersion, kind, isImageRepository, isImagePolicy, syntaxErrors, schemaErrors: [], range, imageNames: [],
  };

  if (isImageRepository && top) {
    chunk.schemaErrors = checkImageRepositorySchema(top);
    if (imageOffsets) {
      chunk.imageRange = lines.rangeAt(imageOffsets[0], imageOffsets[1]);
    } else {
      const imageNode = specImageNode(doc);
      if (isScalar(imageNode) && imageNode.range) chunk.imageRange = lines.rangeAt(imageNode.range[0], imageNode.range[1]);
    }
    const metadata = objectMeta(top.metadata);
    if (chunk.schemaErrors.length === 0 && syntaxErrors.length === 0 && metadata) {
      const spec = top.spec as ImageRepositorySpec;
      chunk.imageRepository = { apiVersion: apiVersion!, kind: 'ImageRepository', metadata, spec, specHash: specHash(spec) };
    } else if (syntaxErrors.length === 0) {
      const reason = metadata ? admissionReason(chunk.schemaErrors) ?? 'the object is invalid' : 'metadata.name is missing';
      const meta = isRecord(top.metadata) ? top.metadata : {};
      chunk.skipped = {
        apiVersion: apiVersion!, kind: 'ImageRepository', reason,
        metadata: {
          name: typeof meta.name === 'string' ? meta.name : '',
          namespace: typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default',
        },
      };
    }
    if (typeof (top.spec as Record<string, unknown> | undefined)?.image === 'string') {
      chunk.imageNames.push(((top.spec as Record<string, unknown>).image as string).trim());
    }
  } else if (top && kind === 'ImageUpdateAutomation' && apiVersion?.startsWith(FLUX_IMAGE_GROUP + '/')) {
    chunk.schemaErrors = checkImageUpdateAutomationSchema(top);
  } else if (isImagePolicy && top) {
    chunk.schemaErrors = checkImagePolicySchema(top);
    const metadata = objectMeta(top.metadata);
    if (chunk.schemaErrors.length === 0 && syntaxErrors.length === 0 && metadata) {
      const spec = top.spec as ImagePolicySpec;
      chunk.imagePolicy = { apiVersion: apiVersion!, kind: 'ImagePolicy', metadata, spec, specHash: specHash(spec as unknown as Record<string, unknown>) };
    }
  } else if (top && apiVersion === 'v1' && kind === 'Namespace') {
    const metadata = objectMeta(top.metadata);
    // A Namespace is cluster-scoped: its own name is the namespace, and metadata.namespace means nothing.
    if (metadata) chunk.namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { ...metadata, namespace: '' } };
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

function specImageNode(doc: YamlTree): Node | undefined {
  return nodeAt(doc, ['spec', 'image']);
}

function parseChunkCached(text: string, chartTemplate: boolean, cache?: ChunkCache): ParsedChunk {
  if (!cache) return parseChunk(text, chartTemplate);
  let chunk = cache.get(text);
  if (!chunk || (chunk.template === 'chart') !== chartTemplate) {
    chunk = parseChunk(text, chartTemplate);
    cache.set(text, chunk);
  }
  return chunk;
}

/** The last wrapper made for each parsed document: an edit elsewhere leaves most documents where they were. */
const lastDocument = new WeakMap<ParsedChunk, ManifestDocument>();

function reuseDocument(uri: string, index: number, startLine: number, chunk: ParsedChunk): ManifestDocument {
  const previous = lastDocument.get(chunk);
  if (previous && previous.uri === uri && previous.index === index && previous.startLine === startLine) return previous;
  const document = manifestDocument(uri, index, startLine, chunk);
  lastDocument.set(chunk, document);
  return document;
}

export function manifestDocument(uri: string, index: number, startLine: number, chunk: ParsedChunk): ManifestDocument {
  let range: Range | undefined;
  const document: ManifestDocument = {
    uri, index, startLine, chunk,
    get range() { return (range ??= shiftRange(chunk.range, startLine)); },
  };
  if (!chunk.imageRepository && !chunk.skipped && !chunk.imagePolicy && !chunk.namespace && !chunk.secret && !chunk.serviceAccount) return document;
  const source = { uri, documentIndex: index, range: document.range };
  if (chunk.imageRepository) {
    const imageRange = chunk.imageRange ? shiftRange(chunk.imageRange, startLine) : undefined;
    document.imageRepository = { ...chunk.imageRepository, source: imageRange ? { ...source, imageRange } : source };
  }
  if (chunk.skipped) document.skipped = { ...chunk.skipped, source };
  if (chunk.imagePolicy) document.imagePolicy = { ...chunk.imagePolicy, source };
  if (chunk.namespace) document.namespace = { ...chunk.namespace, source };
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
  const objects = emptyWorkspaceObjects();
  const used = cache ? new Map<string, ParsedChunk>() : undefined;
  const chartTemplate = isHelmChartTemplate(uri);
  splitDocuments(text).forEach((piece, index) => {
    const chunk = parseChunkCached(piece.text, chartTemplate, cache);
    used?.set(piece.text, chunk);
    const document = cache ? reuseDocument(uri, index, piece.startLine, chunk) : manifestDocument(uri, index, piece.startLine, chunk);
    documents.push(document);
    addDocumentObjects(objects, document);
  });
  if (cache && used) {
    // Keep only what the current text uses, so the cache cannot grow with every keystroke.
    cache.clear();
    for (const [text, chunk] of used) cache.set(text, chunk);
  }
  let imageNames: string[] | undefined;
  return {
    uri, documents, objects,
    get imageNames() { return (imageNames ??= [...new Set(documents.flatMap((d) => d.chunk.imageNames))]); },
  };
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


/** An empty object table, with every kind the index carries (a kind left out here is silently dropped). */
export function emptyWorkspaceObjects(): WorkspaceObjects {
  return { imageRepositories: [], secrets: [], serviceAccounts: [], imagePolicies: [], namespaces: [] };
}

/** Adds what one parsed (or built) document holds to `objects`: the one place that decides which kinds count. */
export function addDocumentObjects(objects: WorkspaceObjects, document: ManifestDocument): void {
  if (document.imageRepository) objects.imageRepositories.push(document.imageRepository);
  if (document.skipped) (objects.skipped ??= []).push(document.skipped);
  if (document.imagePolicy) objects.imagePolicies!.push(document.imagePolicy);
  if (document.namespace) objects.namespaces!.push(document.namespace);
  if (document.secret) objects.secrets.push(document.secret);
  if (document.serviceAccount) objects.serviceAccounts.push(document.serviceAccount);
}
