// Outline: one symbol per ImageRepository (namespace/name, with spec.image as detail) and its spec fields.
import { isMap, isScalar, type Node } from 'yaml';
import type { ParsedManifest } from '../../../common/manifests';
import { shiftRange } from '../../../common/manifests';
import type { Range } from '../../../common/model';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import { namespaceOf } from '../validation';
import { nodeAt, nodeRange, pairOf } from '../../../common/manifests/yamlPath';


export function documentSymbols(manifest: ParsedManifest): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  for (const document of manifest.documents) {
    const { chunk } = document;
    if (!chunk.isImageRepository) continue;
    const shift = (r: Range | undefined) => (r ? shiftRange(r, document.startLine) : undefined);
    const nameNode = nodeAt(chunk.doc, ['metadata', 'name']);
    const name = isScalar(nameNode) ? String(nameNode.value) : '(unnamed)';
    const range = document.range;
    const selectionRange = shift(nodeRange(chunk.lines, nameNode)) ?? { start: range.start, end: range.start };
    const spec = nodeAt(chunk.doc, ['spec']);
    const children: DocumentSymbol[] = [];
    if (isMap(spec)) {
      for (const item of spec.items) {
        if (!isScalar(item.key)) continue;
        const key = String(item.key.value);
        const keyRange = shift(nodeRange(chunk.lines, item.key as Node))!;
        const valueRange = shift(nodeRange(chunk.lines, item.value as Node));
        const value = isScalar(item.value) ? String(item.value.value)
          : isMap(item.value) && isScalar(pairOf(item.value, 'name')?.value) ? String((pairOf(item.value, 'name')!.value as { value: unknown }).value)
            : undefined;
        children.push({
          name: key,
          ...(value !== undefined ? { detail: value } : {}),
          kind: SymbolKind.Field,
          range: valueRange ? { start: keyRange.start, end: valueRange.end } : keyRange,
          selectionRange: keyRange,
        });
      }
    }
    const image = (chunk.value as { spec?: { image?: unknown } }).spec?.image;
    symbols.push({
      name: `${namespaceOf(chunk)}/${name}`,
      ...(typeof image === 'string' ? { detail: image } : {}),
      kind: SymbolKind.Class,
      range,
      selectionRange,
      children,
    });
  }
  return symbols;
}
