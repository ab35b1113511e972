// The Setters update strategy as image-automation-controller v1.2.0 runs it on one file
// (internal/update/setters.go UpdateWithSetters, filter.go SetAllCallback), as text edits: only the marked
// values change, everything else stays byte for byte. `tagline update` and the language server's quick fixes
// both call fileSetters, so they make the same edits.
import type { ImageRef } from '../../model';
import { findMarkers, setterValue, type ImagePolicyMarker } from './markers';
import { encodeSetterValue, scalarText } from './quoting';

/** What the workspace knows of one ImagePolicy: its status.latestRef, or why there is none. */
export type PolicyLookup = (namespace: string, name: string) => { latestRef: ImageRef } | { reason: string };

/**
 * Why a policy that reflects digests (`digestReflectionPolicy: Always|IfNotPresent`) gives no latestRef outside the
 * cluster: its status.latestRef carries the digest the controller HEADs, which `tagline update` and the editor do
 * not fetch, and a value without it would differ from what the automation writes.
 */
export function digestReflectionReason(namespace: string, name: string): string {
  return `ImagePolicy '${namespace}/${name}' reflects digests, and no digest of its selected tag is stored (run tagline scan)`;
}

/** One marked value the automation writes, as an edit of the file text (offsets, end exclusive). */
export interface SetterEdit {
  marker: ImagePolicyMarker;
  range: [number, number];
  newText: string;
  /** The value the setter writes (status.latestRef or a part of it). */
  newValue: string;
}

/** A marker the automation leaves alone, and why. */
export interface SkippedMarker {
  marker: ImagePolicyMarker;
  reason: string;
}

export interface FileSetters {
  /** The edits, in file order; empty when no marked value changes (the automation then writes nothing). */
  edits: SetterEdit[];
  skipped: SkippedMarker[];
  /** Set when a document of the file does not parse: the automation records a problem file and skips it. */
  problem?: string;
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The edit that turns the marked scalar into what the automation's encoder writes for `newValue`. */
function setterEdit(text: string, marker: ImagePolicyMarker, newValue: string): SetterEdit {
  const encoded = encodeSetterValue(marker.scalar, newValue);
  let [start, end] = marker.valueRange;
  const lineStart = lineStartOf(text, start);
  const indent = /^[ \t]*(?:- )*/.exec(text.slice(lineStart))![0].replace(/- /g, '  ').length;
  let body: string;
  if (marker.scalar.style === 'literal' || marker.scalar.style === 'folded') {
    // A block scalar's range runs from its header (which carries the marker comment) to after its last line
    // break; its content keeps the indentation it had.
    const old = text.slice(start, end);
    const headerEnd = old.indexOf('\n');
    const header = headerEnd === -1 ? old : old.slice(0, headerEnd);
    const comment = header.replace(/^[|>][0-9+-]*/, '').replace(/\r$/, '');
    const contentIndent = /\n([ \t]*)\S/.exec(old)?.[1] ?? ' '.repeat(indent + 2);
    const eol = header.endsWith('\r') ? '\r\n' : '\n';
    if (encoded.style === 'literal' || encoded.style === 'folded') {
      const [indicator, ...lines] = scalarText({ ...encoded, tag: '' }, contentIndent).replace(/\n$/, '').split('\n');
      body = indicator + comment + eol + lines.join(eol) + eol;
    } else {
      body = scalarText({ ...encoded, tag: '' }) + comment.replace(/^[ \t]+#/, ' #') + eol;
    }
  } else {
    body = scalarText({ ...encoded, tag: '' }, ' '.repeat(indent + 2));
    if (body.endsWith('\n') && !text.slice(start, end).endsWith('\n')) body = body.slice(0, -1);
  }
  const explicit = marker.scalar.explicitTag;
  if (explicit !== undefined) {
    // The tag is written before the value (and maybe an anchor): when the encoder no longer writes it, it goes.
    const before = text.slice(lineStart, start);
    const m = /(!\S*)([ \t]+(?:&\S+[ \t]+)?)$/.exec(before);
    if (m && encoded.tag !== explicit) {
      start = lineStart + m.index;
      body = (encoded.tag ? `${encoded.tag} ` : '') + m[2].replace(/^[ \t]+/, '') + body;
    }
  } else if (encoded.tag) {
    body = body === '' ? encoded.tag : `${encoded.tag} ${body}`;
  }
  // An empty plain value is written as nothing after `key:` (go-yaml v3 leaves one space before a comment).
  if (body === '' && text[start - 1] === ' ') start--;
  return { marker, range: [start, end], newText: body, newValue };
}

/**
 * The Setters result for one file: for every marker whose ImagePolicy has a latestRef, the value the setter
 * writes (`ImageRef.String()`, or its tag, name or digest) quoted as kyaml and go-yaml v3 write it. As upstream,
 * a file in which no marked value changes is not written at all; in a file that is written, every marked value
 * is re-encoded (a plain `1.0` the policy keeps becomes `"1.0"` too), which is why unchanged markers can have
 * edits. Markers whose policy is unknown or has no latestRef are returned in `skipped`.
 */
export function fileSetters(text: string, lookup: PolicyLookup): FileSetters {
  const found = findMarkers(text);
  if (found.syntaxError !== undefined) return { edits: [], skipped: [], problem: found.syntaxError };
  const edits: SetterEdit[] = [];
  const skipped: SkippedMarker[] = [];
  let changed = false;
  for (const marker of found.markers) {
    const policy = lookup(marker.policy.namespace, marker.policy.name);
    if ('reason' in policy) {
      skipped.push({ marker, reason: policy.reason });
      continue;
    }
    const newValue = setterValue(marker.field, policy.latestRef);
    if (newValue !== marker.value) changed = true;
    const edit = setterEdit(text, marker, newValue);
    if (text.slice(edit.range[0], edit.range[1]) !== edit.newText) edits.push(edit);
  }
  return { edits: changed ? edits : [], skipped };
}

/** `text` with `edits` applied (edits in file order, not overlapping). */
export function applyEdits(text: string, edits: readonly { range: [number, number]; newText: string }[]): string {
  let out = '';
  let at = 0;
  for (const edit of [...edits].sort((a, b) => a.range[0] - b.range[0])) {
    out += text.slice(at, edit.range[0]) + edit.newText;
    at = edit.range[1];
  }
  return out + text.slice(at);
}
