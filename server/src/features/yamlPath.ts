// Which field the cursor is on, from the parsed YAML tree.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { ManifestDocument } from '../../../common/manifests';
import type { Position } from '../../../common/model';
import type { PathSegment } from '../../../common/manifests/yamlPath';

export interface PathHit {
  path: PathSegment[];
  /** The value node (or the key scalar when `onKey`). */
  node: Node | null;
  onKey: boolean;
}

const within = (node: Node | null | undefined, offset: number) =>
  !!node?.range && node.range[0] <= offset && offset <= node.range[1];

export function pathAt(document: ManifestDocument, position: Position): PathHit | undefined {
  const { chunk } = document;
  const offset = chunk.lines.offsetAt({ line: position.line - document.startLine, character: position.character });
  let node: unknown = chunk.doc.contents;
  const path: PathSegment[] = [];
  for (let depth = 0; depth < 64; depth++) {
    if (isMap(node)) {
      const pair = node.items.find((p) => within(p.key as Node, offset) || within(p.value as Node, offset));
      if (!pair || !isScalar(pair.key)) return path.length ? { path, node: node as Node, onKey: false } : undefined;
      path.push(String(pair.key.value));
      if (within(pair.key as Node, offset)) return { path, node: pair.key as Node, onKey: true };
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((item) => within(item as Node, offset));
      if (i === -1) return { path, node: node as Node, onKey: false };
      path.push(i);
      node = node.items[i];
    } else {
      return { path, node: (node as Node) ?? null, onKey: false };
    }
  }
  return undefined;
}
