// Paths in the YAML tree, both ways: the node (key or value) a JSON path names, so each diagnostic sits on the
// exact text, and the path of the field under the cursor (hover, completion).
import { isMap, isPair, isScalar, isSeq, Scalar, type Node, type Pair } from 'yaml';
import type { Position, Range } from '../model';
import type { ManifestDocument, YamlTree } from './parse';
import type { LineIndex } from './positions';

export type PathSegment = string | number;

export function nodeRange(lines: LineIndex, node: Node | null | undefined): Range | undefined {
  if (!node?.range) return undefined;
  return lines.rangeAt(node.range[0], node.range[1]);
}

export function pairOf(map: unknown, key: string): Pair<Node, Node | null> | undefined {
  if (!isMap(map)) return undefined;
  return map.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key) as
    Pair<Node, Node | null> | undefined;
}

export function nodeAt(doc: YamlTree, path: PathSegment[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const segment of path) {
    if (typeof segment === 'number' && isSeq(node)) node = node.items[segment];
    else if (typeof segment === 'string') node = pairOf(node, segment)?.value ?? undefined;
    else return undefined;
    if (node === undefined || node === null) return undefined;
  }
  return node as Node;
}

/** The key node of the last segment of `path` (for "unknown field" and "missing field" diagnostics). */
export function keyAt(doc: YamlTree, path: PathSegment[]): Node | undefined {
  if (path.length === 0) return undefined;
  const last = path[path.length - 1];
  if (typeof last !== 'string') return nodeAt(doc, path);
  const parent = path.length === 1 ? doc.contents : nodeAt(doc, path.slice(0, -1));
  return pairOf(parent, last)?.key ?? undefined;
}

/** JSON pointer (`/spec/exclusionList/0`) → path segments, numbers where the YAML holds a sequence. */
export function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => {
    const segment = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(segment) ? Number(segment) : segment;
  });
}

/** Replacement text for a scalar that keeps the quoting style the person chose. */
export function scalarText(node: Node | undefined, value: string): string {
  if (isScalar(node)) {
    if (node.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
    if (node.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  }
  return /^[\w./:@-]+$/.test(value) && !/^[-:]/.test(value) ? value : JSON.stringify(value);
}

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
      // Keys first: a block value's range runs to the next key's first character, which is that key's.
      const pair = node.items.find((p) => within(p.key as Node, offset)) ?? node.items.find((p) => within(p.value as Node, offset));
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
