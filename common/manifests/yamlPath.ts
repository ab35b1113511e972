// Finding the YAML node (key or value) that a JSON path names, so each diagnostic sits on the exact text.
import { isMap, isPair, isScalar, isSeq, Scalar, type Node, type Pair } from 'yaml';
import type { Range } from '../model';
import type { YamlTree } from './parse';
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
