// Where the cursor is in YAML terms, read from the text (the tree of a half-typed line is not reliable):
// the path of parent keys by indentation, and whether a key or a value is being typed.

export type Segment = string | '[]';

export interface CompletionContext {
  /** Parent keys from the document root; `[]` stands for an item of a sequence. */
  path: Segment[];
  /** A key is being typed (`  secr|`), or a value (`  provider: a|`) for `key`. */
  kind: 'key' | 'value';
  key?: string;
  /** What is typed so far, and where it starts (for the replace range). */
  prefix: string;
  prefixStart: number;
  /** Column where keys of this mapping start (for snippets with nested lines). */
  indent: number;
  /** Keys already present in the same mapping. */
  siblings: Set<string>;
}

const KEY_LINE = /^(\s*)(-\s+)?([A-Za-z0-9_.\/-]*)$/;
const VALUE_LINE = /^(\s*)(-\s+)?([A-Za-z0-9_.\/-]+):(\s+)(["']?)([^"'#]*)$/;
const ANY_KEY = /^(\s*)(-\s+)?([A-Za-z0-9_.\/"'-]+)\s*:(?:\s|$)/;
const BLANK = /^\s*(#.*)?$/;

function keyName(raw: string): string {
  return raw.replace(/^["']|["']$/g, '');
}

/** `lines` are the document's lines; `line` is the cursor's line within them. */
export function completionContext(lines: string[], line: number, character: number): CompletionContext | undefined {
  if (line < 0 || line >= lines.length) return undefined;
  const before = lines[line].slice(0, character);
  let kind: CompletionContext['kind'];
  let key: string | undefined;
  let prefix: string;
  let indent: number;
  let dash = false;
  const value = VALUE_LINE.exec(before);
  const keyOnly = value ? undefined : KEY_LINE.exec(before);
  if (value) {
    kind = 'value';
    key = value[3];
    prefix = value[6];
    indent = value[1].length + (value[2]?.length ?? 0);
    dash = !!value[2];
  } else if (keyOnly) {
    kind = 'key';
    prefix = keyOnly[3];
    indent = keyOnly[1].length + (keyOnly[2]?.length ?? 0);
    dash = !!keyOnly[2];
  } else {
    return undefined;
  }

  const path: Segment[] = [];
  let threshold = indent;
  if (dash) {
    path.unshift('[]');
    threshold = before.length - before.trimStart().length + 1;
  }
  for (let i = line - 1; i >= 0 && threshold > 0; i--) {
    const text = lines[i];
    if (BLANK.test(text) || /^(---|\.\.\.)(\s|$)/.test(text)) continue;
    const m = ANY_KEY.exec(text);
    const lineIndent = text.length - text.trimStart().length;
    if (!m) {
      if (lineIndent < threshold) {
        // A bare `- value` item or a continuation: the cursor is inside a sequence or scalar, not a mapping.
        if (/^\s*-(\s|$)/.test(text) && lineIndent + 2 <= threshold) {
          path.unshift('[]');
          threshold = lineIndent + 1;
          continue;
        }
        return undefined;
      }
      continue;
    }
    const keyCol = m[1].length + (m[2]?.length ?? 0);
    if (m[2] && keyCol === threshold) {
      // `- name: x` with the cursor's key aligned to it: a sibling inside the same sequence item.
      path.unshift('[]');
      threshold = m[1].length + 1;
      continue;
    }
    if (keyCol < threshold) {
      path.unshift(keyName(m[3]));
      threshold = keyCol;
      if (m[2]) {
        // The parent key sits in a sequence item: the item belongs to the key above the dash.
        path.unshift('[]');
        threshold = m[1].length + 1;
      }
    }
  }
  return { path, kind, key, prefix, prefixStart: character - prefix.length, indent, siblings: siblingKeys(lines, line, indent) };
}

/** Keys at the same indentation in the same block as the cursor's line. */
function siblingKeys(lines: string[], line: number, indent: number): Set<string> {
  const keys = new Set<string>();
  const scan = (from: number, step: number) => {
    for (let i = from; i >= 0 && i < lines.length; i += step) {
      const text = lines[i];
      if (BLANK.test(text)) continue;
      if (/^(---|\.\.\.)(\s|$)/.test(text)) break;
      const m = ANY_KEY.exec(text);
      const col = m ? m[1].length + (m[2]?.length ?? 0) : text.length - text.trimStart().length;
      if (col < indent) break;
      if (m && col === indent) {
        if (m[2] && step > 0) break;
        keys.add(keyName(m[3]));
        // A new sequence item starts a new mapping.
        if (m[2] && step < 0) break;
      }
    }
  };
  scan(line - 1, -1);
  scan(line + 1, 1);
  return keys;
}
