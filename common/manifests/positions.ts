// Offsets (UTF-16 code units, as the yaml package and LSP both count) ↔ LSP line/character positions.
import type { Position, Range } from '../model';

export class LineIndex {
  constructor(private readonly starts: number[], readonly lineOffset = 0) {}

  positionAt(offset: number): Position {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + this.lineOffset, character: offset - this.starts[low] };
  }

  rangeAt(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** Offset inside the text of a position given in whole-file lines. */
  offsetAt(position: Position): number {
    const line = position.line - this.lineOffset;
    if (line < 0) return 0;
    if (line >= this.starts.length) return this.starts[this.starts.length - 1];
    return this.starts[line] + position.character;
  }
}

export function shiftRange(range: Range, lines: number): Range {
  if (lines === 0) return range;
  return {
    start: { line: range.start.line + lines, character: range.start.character },
    end: { line: range.end.line + lines, character: range.end.character },
  };
}

export function containsPosition(range: Range, position: Position): boolean {
  if (position.line < range.start.line || position.line > range.end.line) return false;
  if (position.line === range.start.line && position.character < range.start.character) return false;
  if (position.line === range.end.line && position.character > range.end.character) return false;
  return true;
}
