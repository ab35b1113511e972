// Hover on a document that kustomize roots build: the object as Flux applies it, per root, and where each field
// that the base file does not hold came from (a patch, a kustomization's `namespace:`, a Flux Kustomization).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { relative } from 'node:path';
import { documentAtLine, type ParsedManifest } from '../../../common/manifests';
import { nodeAt, type PathSegment } from '../../../common/manifests/yamlPath';
import type { Position } from '../../../common/model';
import { hostText } from '../../../common/kustomize/paths';
import { locateField, type BuiltDocument, type BuiltValidation, type ManifestsByPath } from '../validation/built';

function leaves(value: unknown, path: PathSegment[], out: [PathSegment[], unknown][]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) leaves(item, [...path, key], out);
  } else {
    out.push([path, value]);
  }
}

function fieldLines(built: BuiltDocument, manifests: ManifestsByPath, display: (uri: string) => string): string[] {
  const object = built.applied.object as { metadata?: Record<string, unknown>; spec?: unknown };
  const fields: [PathSegment[], unknown][] = [];
  for (const key of ['name', 'namespace']) if (object.metadata?.[key] !== undefined) fields.push([['metadata', key], object.metadata[key]]);
  leaves(object.spec, ['spec'], fields);
  return fields.map(([path, value]) => {
    const located = locateField(built, path, manifests);
    let from = located && (located.uri !== built.base?.uri ? ` — from ${display(located.uri)}` : '');
    if (from === undefined) {
      const written = built.base && nodeAt(built.base.chunk.doc, path)?.toJSON();
      const flux = built.root.flux;
      from = typeof written === 'string' && written.includes('${') && flux
        ? ` — postBuild substitution of ${display(pathToFileURL(hostText(flux.file)).href)}` : ' — set by kustomize';
    }
    return `- \`${path.join('.')}: ${typeof value === 'string' ? value : JSON.stringify(value)}\`${from}`;
  });
}

/** Markdown for the document under `position`, or undefined when no root builds it. */
export function appliedHover(manifest: ParsedManifest, position: Position, built: BuiltValidation | undefined, manifests: ManifestsByPath, folders: string[]): string | undefined {
  const document = documentAtLine(manifest, position.line);
  if (!document || !built) return undefined;
  const objects = built.documents.filter((d) => d.base?.uri === document.uri && d.base.index === document.index);
  if (objects.length === 0) return undefined;
  const display = (uri: string) => {
    const path = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
    const folder = folders.find((f) => path.startsWith(f));
    return folder ? relative(folder, path) : path;
  };
  return objects.map((built) =>
    [`**As applied by ${built.root.label}**`, ...fieldLines(built, manifests, display)].join('\n')).join('\n\n');
}
