// Splits a YAML stream into one text chunk per document, so an edit re-parses only the document it touched.
// A `---` line at column 0 always starts a new document in YAML 1.2 (even inside what would otherwise be a
// block scalar), so a line scan finds the same boundaries the parser would.

export interface TextChunk {
  /** The document's text, from its `---` line (if any) to just before the next one. */
  text: string;
  /** 0-based line of the chunk's first line in the whole file. */
  startLine: number;
  /** Offset of the chunk's first character in the whole file. */
  startOffset: number;
}

const BLANK_OR_COMMENT = /^[ \t]*(?:#.*)?$/;
const DIRECTIVE = /^%/;

/** Lines of `text` with their start offsets; `\r\n` and `\n` both end a line. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function isDocumentStart(text: string, lineStart: number): boolean {
  if (!text.startsWith('---', lineStart)) return false;
  const next = text.charCodeAt(lineStart + 3);
  // end of text, space, tab, \n or \r
  return Number.isNaN(next) || next === 32 || next === 9 || next === 10 || next === 13;
}

export function splitDocuments(text: string): TextChunk[] {
  const chunks: TextChunk[] = [];
  let chunkStart = 0;
  let chunkStartLine = 0;
  let line = 0;
  let lineStart = 0;
  // Text before the first `---` that holds only comments or directives belongs to the first document.
  let onlyPreamble = true;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    // Only lines starting with `-` can start a document; others are looked at only while in the preamble.
    const marker = text.charCodeAt(lineStart) === 45 && isDocumentStart(text, lineStart);
    if (marker && line > chunkStartLine && !onlyPreamble) {
      chunks.push({ text: text.slice(chunkStart, lineStart), startLine: chunkStartLine, startOffset: chunkStart });
      chunkStart = lineStart;
      chunkStartLine = line;
      onlyPreamble = false;
    } else if (onlyPreamble) {
      const lineText = text.slice(lineStart, lineEnd);
      if (marker || (!BLANK_OR_COMMENT.test(lineText) && !DIRECTIVE.test(lineText))) onlyPreamble = false;
    }
    if (newline === -1) break;
    lineStart = newline + 1;
    line++;
  }
  chunks.push({ text: text.slice(chunkStart), startLine: chunkStartLine, startOffset: chunkStart });
  return chunks;
}
