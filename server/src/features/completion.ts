// Completion for ImageRepository documents: keys not yet present at every level, enum/boolean/duration values,
// Secret and ServiceAccount names from the workspace index, image names used elsewhere, and a snippet for a
// whole new ImageRepository.
import { documentAtLine, type ParsedManifest } from '../../../common/manifests';
import { FLUX_IMAGE_GROUP } from '../../../common/manifests';
import type { Position, Range, SecretObject, WorkspaceObjects } from '../../../common/model';
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver-types';
import repositorySchema from '../../../schemas/imagerepository-v1.json';
import policySchema from '../../../schemas/imagepolicy-v1.json';
import automationSchema from '../../../schemas/imageupdateautomation-v1.json';
import { AUTOMATION_FIELD_DOCS } from '../docs/automationFields';
import { FIELD_DOCS, type FieldDoc } from '../docs/fields';
import { POLICY_FIELD_DOCS } from '../docs/policyFields';
import { IMAGE_POLICY_SNIPPET, IMAGE_REPOSITORY_SNIPPET, policyKindSnippets } from '../../../common/flux/snippet';
import { certSecretProblem, isImageUpdateAutomation, namespaceOf, proxySecretProblem, pullSecretProblem, SERVED_API_VERSION } from '../validation';
import type { WorkspaceIndex } from '../workspace/index';
import { completionContext, type Segment } from './completionContext';
import type { DetectedFlux } from '../../../common/model';
import { servedByFlux, type ImageKind } from '../../../common/flux/servedVersions';
import { fluxLabel } from '../../../common/flux/fluxVersion';

const Kind = CompletionItemKind;
const PlainText = InsertTextFormat.PlainText;
const Snippet = InsertTextFormat.Snippet;

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  enum?: string[];
  $ref?: string;
  description?: string;
}

/** The schema and field docs of the kind being completed. */
interface KindSchema { root: SchemaNode & { definitions?: Record<string, SchemaNode> }; docs: Record<string, FieldDoc> }

const REPOSITORY: KindSchema = { root: repositorySchema as KindSchema['root'], docs: FIELD_DOCS };
const POLICY: KindSchema = { root: policySchema as KindSchema['root'], docs: POLICY_FIELD_DOCS };
const AUTOMATION: KindSchema = { root: automationSchema as KindSchema['root'], docs: AUTOMATION_FIELD_DOCS };

function resolve(node: SchemaNode | undefined, kind: KindSchema = REPOSITORY): SchemaNode | undefined {
  if (node?.$ref) {
    const name = node.$ref.replace('#/definitions/', '');
    return kind.root.definitions?.[name];
  }
  return node;
}

function schemaAt(path: Segment[], kind: KindSchema = REPOSITORY): SchemaNode | undefined {
  let node: SchemaNode | undefined = kind.root;
  for (const segment of path) {
    node = resolve(node, kind);
    node = segment === '[]' ? node?.items : node?.properties?.[segment];
    if (!node) return undefined;
  }
  return resolve(node, kind);
}


const INTERVALS = ['1m', '5m', '10m', '30m', '1h', '6h', '12h', '24h'];
const TIMEOUTS = ['30s', '1m', '2m', '5m', '10m', '30m'];

function docFor(path: Segment[], kind: KindSchema = REPOSITORY): CompletionItem['documentation'] {
  const doc = kind.docs[path.join('.').replace(/\.\[\]/g, '[]')];
  return doc ? { kind: 'markdown', value: doc.summary + (doc.details ? `\n\n${doc.details}` : '') } : undefined;
}

function keyItems(path: Segment[], indent: number, siblings: Set<string>, snippets: boolean, range: Range, kind: KindSchema = REPOSITORY): CompletionItem[] {
  const node = schemaAt(path, kind);
  if (!node?.properties) return [];
  const pad = ' '.repeat(indent + 2);
  const kindSnippets = kind === POLICY && path.join('.') === 'spec.policy' ? policyKindSnippets(' '.repeat(indent)) : undefined;
  return Object.entries(node.properties)
    .filter(([key]) => !siblings.has(key) && key !== 'status')
    .map(([key, child], i) => {
      const resolved = resolve(child, kind);
      let text = `${key}: `;
      if (snippets && kindSnippets && key in kindSnippets) {
        text = kindSnippets[key as keyof typeof kindSnippets];
      } else if (snippets && resolved?.type === 'object' && resolved.properties?.name && /(secretref|imagerepositoryref)$/i.test(key)) {
        text = `${key}:\n${pad}name: $0`;
      } else if (snippets && resolved?.type === 'object') {
        text = `${key}:\n${pad}$0`;
      } else if (snippets && resolved?.type === 'array') {
        text = `${key}:\n${pad}- "$0"`;
      }
      return {
        label: key,
        kind: Kind.Property,
        detail: resolved?.type,
        documentation: docFor([...path, key], kind),
        insertTextFormat: snippets ? Snippet : PlainText,
        sortText: String(i).padStart(2, '0'),
        textEdit: { range, newText: text },
      };
    });
}

function valueItem(label: string, kind: CompletionItemKind, detail: string | undefined, range: Range): CompletionItem {
  return { label, kind, ...(detail ? { detail } : {}), textEdit: { range, newText: label } };
}

function secretFits(field: string, secret: SecretObject): boolean {
  if (field === 'secretRef') return !pullSecretProblem(secret);
  if (field === 'certSecretRef') return !certSecretProblem(secret).message;
  if (field === 'proxySecretRef') return !proxySecretProblem(secret);
  return true;
}

/** A snippet with its placeholders replaced by their defaults, for clients without snippet support. */
function plain(snippet: string): string {
  return snippet.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$0/g, '');
}

/** `flux`: the Flux the workspace runs; apiVersion values are the versions it serves (v1 when none is known). */
export function completion(
  manifest: ParsedManifest, position: Position, index: WorkspaceIndex, snippets: boolean, flux: readonly DetectedFlux[] = [],
  applied?: AppliedView,
): CompletionItem[] {
  const document = documentAtLine(manifest, position.line);
  if (!document) return [];
  const { chunk } = document;
  const automation = isImageUpdateAutomation(chunk);
  const ours = chunk.isImageRepository || chunk.isImagePolicy || automation;
  const kind = automation ? AUTOMATION : chunk.isImagePolicy ? POLICY : REPOSITORY;
  const kindName = automation ? 'ImageUpdateAutomation' : chunk.isImagePolicy ? 'ImagePolicy' : 'ImageRepository';
  const blank = chunk.kind === undefined && (chunk.apiVersion === undefined || chunk.apiVersion.startsWith(FLUX_IMAGE_GROUP + '/'));
  if (!ours && !blank) return [];
  const lines = chunk.text.split('\n').map((l) => l.replace(/\r$/, ''));
  const context = completionContext(lines, position.line - document.startLine, position.character);
  if (!context) return [];
  const replace: Range = { start: { line: position.line, character: context.prefixStart }, end: position };

  if (context.kind === 'key') {
    // In a document that is not (yet) anything, offer only the whole-manifest snippet, so other kinds being
    // typed next to Red Hat's YAML extension get no noise from us.
    if (!ours) {
      if (context.path.length > 0 || context.siblings.size > 0) return [];
      return [{
        label: 'ImageRepository',
        kind: Kind.Snippet,
        detail: 'New Flux ImageRepository',
        documentation: { kind: 'markdown', value: 'A whole ImageRepository manifest (`image.toolkit.fluxcd.io/v1`).' },
        insertTextFormat: snippets ? Snippet : PlainText,
        textEdit: { range: replace, newText: snippets ? IMAGE_REPOSITORY_SNIPPET : plain(IMAGE_REPOSITORY_SNIPPET) },
        sortText: '00',
      }, {
        label: 'ImagePolicy',
        kind: Kind.Snippet,
        detail: 'New Flux ImagePolicy',
        documentation: { kind: 'markdown', value: 'A whole ImagePolicy manifest (`image.toolkit.fluxcd.io/v1`) with a semver range.' },
        insertTextFormat: snippets ? Snippet : PlainText,
        textEdit: { range: replace, newText: snippets ? IMAGE_POLICY_SNIPPET : plain(IMAGE_POLICY_SNIPPET) },
        sortText: '01',
      }];
    }
    const items = keyItems(context.path, context.indent, context.siblings, snippets, replace, kind);
    return items;
  }

  const key = context.key!;
  const path = [...context.path, key];
  const dotted = path.join('.');
  const node = schemaAt(path, kind);
  // A document that kustomize roots build lives in the namespaces it is applied to, among the objects as applied.
  const appliedNamespaces = applied?.namespaces(document.uri, document.index) ?? [];
  const namespace = appliedNamespaces[0] ?? namespaceOf(chunk);
  const inNamespace = (ns: string) => (appliedNamespaces.length > 0 ? appliedNamespaces.includes(ns) : ns === namespace);
  const objects = applied?.objects ?? index.objects();
  if (dotted === 'apiVersion') return apiVersionItems(kindName, flux, replace);
  if (dotted === 'kind') return [valueItem(kindName, Kind.Value, undefined, replace)];
  if (automation) return automationValues(dotted, node, inNamespace, objects, replace);
  if (kind === POLICY && dotted === 'spec.imageRepositoryRef.name') {
    const ref = (chunk.value as { spec?: { imageRepositoryRef?: { namespace?: unknown } } } | undefined)?.spec?.imageRepositoryRef;
    const explicit = typeof ref?.namespace === 'string' && ref.namespace !== '' ? ref.namespace : undefined;
    const seen = new Set<string>();
    return objects.imageRepositories
      .filter((r) => (explicit ? r.metadata.namespace === explicit : inNamespace(r.metadata.namespace)) && !seen.has(r.metadata.name) && !!seen.add(r.metadata.name))
      .map((r) => valueItem(r.metadata.name, Kind.Reference, `ImageRepository ${r.spec.image} in ${r.metadata.namespace}`, replace));
  }
  if (kind === POLICY && dotted === 'spec.imageRepositoryRef.namespace') {
    const namespaces = new Set(objects.imageRepositories.map((r) => r.metadata.namespace));
    return [...namespaces].sort().map((ns) => valueItem(ns, Kind.Value, 'namespace with ImageRepositories', replace));
  }
  if (node?.enum) return node.enum.map((v) => valueItem(v, Kind.Enum, undefined, replace));
  if (node?.type === 'boolean') return ['true', 'false'].map((v) => valueItem(v, Kind.Value, undefined, replace));
  if (dotted === 'spec.interval') return INTERVALS.map((v, i) => ({ ...valueItem(v, Kind.Value, 'Go duration', replace), sortText: String(i).padStart(2, '0') }));
  if (dotted === 'spec.timeout') return TIMEOUTS.map((v, i) => ({ ...valueItem(v, Kind.Value, 'Go duration (no h)', replace), sortText: String(i).padStart(2, '0') }));
  if (path.length === 3 && path[0] === 'spec' && /secretref$/i.test(path[1]) && key === 'name') {
    const field = path[1];
    const seen = new Set<string>();
    return objects.secrets
      .filter((s) => inNamespace(s.metadata.namespace) && secretFits(field, s))
      .filter((s) => !seen.has(s.metadata.name) && !!seen.add(s.metadata.name))
      .map((s) => valueItem(s.metadata.name, Kind.Reference, `Secret ${s.type ?? 'Opaque'} in ${s.metadata.namespace}`, replace));
  }
  if (dotted === 'spec.serviceAccountName') {
    const seen = new Set<string>();
    return objects.serviceAccounts
      .filter((sa) => inNamespace(sa.metadata.namespace) && !seen.has(sa.metadata.name) && !!seen.add(sa.metadata.name))
      .map((sa) => valueItem(sa.metadata.name, Kind.Reference, `ServiceAccount in ${sa.metadata.namespace}`, replace));
  }
  if (dotted === 'spec.image') {
    const current = (chunk.value as { spec?: { image?: unknown } } | undefined)?.spec?.image;
    return index.imageNames()
      .filter((name) => name !== current)
      .map((name) => valueItem(name, Kind.Module, 'used in the workspace', replace));
  }
  if (dotted === 'metadata.namespace') {
    const namespaces = new Set<string>();
    for (const o of [...objects.imageRepositories, ...objects.secrets, ...objects.serviceAccounts]) namespaces.add(o.metadata.namespace);
    return [...namespaces].sort().map((ns) => valueItem(ns, Kind.Value, 'namespace in the workspace', replace));
  }
  return [];
}

/** Values in an ImageUpdateAutomation: enums, durations, and Secret names for the signing key. */
/** The objects as Flux applies them (kustomize roots built), and the namespaces a document is applied to. */
export interface AppliedView {
  objects: WorkspaceObjects;
  /** Namespaces the roots apply document `index` of `uri` to; empty when no root builds it. */
  namespaces(uri: string, index: number): string[];
}

function automationValues(dotted: string, node: SchemaNode | undefined, inNamespace: (ns: string) => boolean, objects: WorkspaceObjects, replace: Range): CompletionItem[] {
  if (node?.enum) return node.enum.map((v) => valueItem(v, Kind.Enum, undefined, replace));
  if (node?.type === 'boolean') return ['true', 'false'].map((v) => valueItem(v, Kind.Value, undefined, replace));
  if (dotted === 'spec.interval') return INTERVALS.map((v, i) => ({ ...valueItem(v, Kind.Value, 'Go duration', replace), sortText: String(i).padStart(2, '0') }));
  if (dotted === 'spec.git.commit.signingKey.secretRef.name') {
    const seen = new Set<string>();
    return objects.secrets
      .filter((s) => inNamespace(s.metadata.namespace) && !seen.has(s.metadata.name) && !!seen.add(s.metadata.name))
      .map((s) => valueItem(s.metadata.name, Kind.Reference, `Secret ${s.type ?? 'Opaque'} in ${s.metadata.namespace}`, replace));
  }
  return [];
}

/** The versions every Flux found serves, storage version first, deprecated ones marked; v1 when none is known. */
function apiVersionItems(kind: ImageKind, flux: readonly DetectedFlux[], replace: Range): CompletionItem[] {
  if (flux.length === 0) return [valueItem(SERVED_API_VERSION, Kind.Value, 'served version', replace)];
  const served = (servedByFlux(kind, flux[0].minor) ?? [])
    .filter((v) => flux.every((f) => servedByFlux(kind, f.minor)?.some((w) => w.name === v.name)))
    .sort((a, b) => Number(b.storage === true) - Number(a.storage === true));
  return served.map((v, i) => ({
    ...valueItem(`${FLUX_IMAGE_GROUP}/${v.name}`, Kind.Value, `${v.deprecationWarning ? 'deprecated, ' : ''}served by ${flux.map(fluxLabel).join(', ')}`, replace),
    sortText: String(i).padStart(2, '0'),
    ...(v.deprecationWarning ? { tags: [1 as const] } : {}),
  }));
}
