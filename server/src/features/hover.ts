// Hover: field docs everywhere, the canonical name and Flux's view on spec.image, the meaning (and effect on
// the stored tags) of an exclusionList entry.
import { isScalar } from 'yaml';
import { documentAtLine, type ParsedManifest } from '../../../common/manifests';
import { getCondition } from '../../../common/flux/conditions';
import { compileExclusion, DEFAULT_EXCLUSION } from '../../../common/flux/exclusion';
import { parseImageReference } from '../../../common/flux/reference';
import { objectKey, type ImageRepositoryObject, type Position, type Range } from '../../../common/model';
import { Commands, type ObjectStatus } from '../../../common/protocol';
import { automationFieldDocMarkdown } from '../docs/automationFields';
import { fieldDocMarkdown } from '../docs/fields';
import { isImageUpdateAutomation } from '../validation';
import { nodeRange, pathAt } from '../../../common/manifests/yamlPath';
import type { StatusStore } from '../workspace/statuses';
import { timeAgo } from '../../../common/timeAgo';

export interface HoverResult { contents: { kind: 'markdown'; value: string }; range?: Range }

export interface HoverContext {
  statuses: StatusStore;
  /** Every stored tag for a canonical name, or null when no reconciler answers (e.g. in Neovim). */
  storedTags(canonicalImageName: string): Promise<string[] | null>;
  now(): number;
}

export function commandLink(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/** A code span that survives any tag or pattern text, including backtick runs (CommonMark §6.1). */
function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  return longestRun > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/**
 * Condition messages quote registry responses; escaped, a hostile registry cannot put links, images (tracking
 * requests) or command links into a hover.
 */
function plainText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#!|<>~&]/g, (ch) => `\\${ch}`).replace(/\r?\n/g, ' ');
}

export function statusMarkdown(object: ImageRepositoryObject, status: ObjectStatus, now: number): string {
  const lines: string[] = [];
  const ready = getCondition(status.status, 'Ready');
  const key = objectKey(object.metadata);
  const rescan = commandLink(Commands.rescan, [{ key, uri: object.source?.uri ?? status.uri }]);
  if (ready) lines.push(`Ready=${ready.status} (${plainText(ready.reason)}): ${plainText(ready.message)}`);
  const scan = status.status.lastScanResult;
  if (scan) {
    lines.push(`${scan.tagCount} tag${scan.tagCount === 1 ? '' : 's'} · scanned ${timeAgo(scan.scanTime, now)} · [Rescan](${rescan})`);
    if (scan.latestTags?.length) {
      lines.push('Latest tags:\n' + scan.latestTags
        .map((tag) => `- ${code(tag)} [copy](${commandLink(Commands.copyTag, [{ tag }])})`).join('\n'));
    }
  } else {
    lines.push(`Not scanned yet${status.scanning ? ' (scanning now)' : ''} · [Rescan](${rescan})`);
  }
  return lines.join('\n\n');
}

async function exclusionMarkdown(pattern: string, canonical: string | undefined, ctx: HoverContext): Promise<string> {
  const compiled = compileExclusion(pattern);
  if (!compiled.ok) return `Exclusion pattern ${code(pattern)} does not compile as Go RE2: ${compiled.message}`;
  const lines = [
    `Exclusion pattern ${code(pattern)} (Go RE2): a tag is not stored when the pattern matches **anywhere** in it` +
      `${pattern.startsWith('^') && pattern.endsWith('$') ? '' : ' (use `^` and `$` to match whole tags)'}.`,
  ];
  if (canonical) {
    const tags = await ctx.storedTags(canonical);
    if (tags) {
      let removed = 0;
      for (const tag of tags) if (compiled.matches(tag)) removed++;
      lines.push(`Removes ${removed} of ${tags.length} scanned tags of ${code(canonical)}.`);
    }
  }
  return lines.join('\n\n');
}

export async function hover(manifest: ParsedManifest, position: Position, ctx: HoverContext): Promise<HoverResult | null> {
  const document = documentAtLine(manifest, position.line);
  if (document && isImageUpdateAutomation(document.chunk)) return automationHover(document, position);
  if (!document?.chunk.isImageRepository) return null;
  const hit = pathAt(document, position);
  if (!hit || hit.path.length === 0) return null;
  const { chunk } = document;
  const rel = nodeRange(chunk.lines, hit.node);
  const range = rel ? { start: { line: rel.start.line + document.startLine, character: rel.start.character }, end: { line: rel.end.line + document.startLine, character: rel.end.character } } : undefined;
  const spec = (chunk.value as { spec?: { image?: unknown; insecure?: unknown; exclusionList?: unknown } } | undefined)?.spec;
  const image = typeof spec?.image === 'string' ? spec.image : undefined;
  const parsed = image !== undefined ? parseImageReference(image, spec?.insecure === true) : undefined;
  const canonical = parsed?.ok ? parsed.reference.canonicalImageName : undefined;
  const parts: string[] = [];
  const [first, second, third] = hit.path;

  if (first === 'spec' && second === 'image' && !hit.onKey && parsed) {
    parts.push(parsed.ok
      ? `Canonical name: ${code(parsed.reference.canonicalImageName)}${parsed.reference.scheme === 'http' ? ' (plain HTTP allowed)' : ''}`
      : parsed.message);
    const object = document.imageRepository;
    const status = object ? ctx.statuses.forObject(object) : undefined;
    if (object && status) parts.push(statusMarkdown(object, status, ctx.now()));
  } else if (first === 'spec' && second === 'exclusionList' && typeof third === 'number' && isScalar(hit.node) && typeof hit.node.value === 'string') {
    parts.push(await exclusionMarkdown(hit.node.value, canonical, ctx));
  } else if (first === 'spec' && second === 'exclusionList' && Array.isArray(spec?.exclusionList) && spec.exclusionList.length === 0) {
    parts.push(`An empty list does not switch exclusion off: the default ${code(DEFAULT_EXCLUSION)} still applies.`);
  }
  const doc = fieldDocMarkdown(hit.path.filter((_, i) => !(typeof hit.path[i] === 'number' && i === hit.path.length - 1)));
  if (doc) parts.push(doc);
  if (parts.length === 0) return null;
  return { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') }, ...(range ? { range } : {}) };
}

/** ImageUpdateAutomation: the field's doc. */
function automationHover(document: NonNullable<ReturnType<typeof documentAtLine>>, position: Position): HoverResult | null {
  const hit = pathAt(document, position);
  if (!hit || hit.path.length === 0) return null;
  const doc = automationFieldDocMarkdown(hit.path.filter((_, i) => !(typeof hit.path[i] === 'number' && i === hit.path.length - 1)));
  if (!doc) return null;
  const rel = nodeRange(document.chunk.lines, hit.node);
  const range = rel ? { start: { line: rel.start.line + document.startLine, character: rel.start.character }, end: { line: rel.end.line + document.startLine, character: rel.end.character } } : undefined;
  return { contents: { kind: 'markdown', value: doc }, ...(range ? { range } : {}) };
}
