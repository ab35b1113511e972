// Diagnostics for workspace files that are not open, so the Problems panel shows every ImageRepository's
// problems and conditions, as `tagline check` and the tree do. Only files holding a Flux image document (or a
// near miss of one) are published; others get nothing, not even an empty list. Work is done a few files per
// event-loop turn, after the open documents, so a big workspace never delays the file the person is looking at.
import { FLUX_IMAGE_GROUP, type ParsedManifest } from '../../../common/manifests';
import { isOurDocument, type TaglineDiagnostic } from '../validation';

/** Files diagnosed per event-loop turn: small enough that an edit's validation waits at most a few ms. */
const BATCH = 20;

export interface DiskDiagnosticsHost {
  /** The file as the index holds it from disk, or undefined when it is open, gone or not indexed. */
  closedManifest(uri: string): ParsedManifest | undefined;
  /** Every file indexed from disk. */
  diskUris(): Iterable<string>;
  diagnose(manifest: ParsedManifest): TaglineDiagnostic[];
  send(uri: string, diagnostics: TaglineDiagnostic[]): void;
  /** False when the `tagline.diagnostics.scope` setting narrows publishing to open files. */
  enabled(): boolean;
}

/** A file worth a place in Problems: it holds a Flux image document, or something that should have been one. */
function isFluxFile(manifest: ParsedManifest, diagnostics: TaglineDiagnostic[]): boolean {
  const group = `${FLUX_IMAGE_GROUP}/`;
  return manifest.documents.some((d) => d.chunk.apiVersion?.startsWith(group) || isOurDocument(d.chunk))
    || diagnostics.some((d) => d.code !== 'template.skipped');
}

export class DiskDiagnostics {
  private readonly queue = new Set<string>();
  /** What was last sent per file, so a re-check that changes nothing (most of them) sends nothing. */
  private readonly shown = new Map<string, string>();
  private draining = false;

  constructor(private readonly host: DiskDiagnosticsHost) {}

  schedule(uri: string): void {
    this.queue.add(uri);
    this.drainSoon();
  }

  scheduleAll(): void {
    for (const uri of this.host.diskUris()) this.queue.add(uri);
    for (const uri of this.shown.keys()) this.queue.add(uri);
    this.drainSoon();
  }

  /** A document was opened: its editor publishes now, and the disk version is no longer shown. */
  opened(uri: string): void {
    this.queue.delete(uri);
    this.shown.delete(uri);
  }

  /** Publishes (or clears) the file now; true when it is (still) shown or was just cleared. */
  publish(uri: string): boolean {
    const manifest = this.host.enabled() ? this.host.closedManifest(uri) : undefined;
    const diagnostics = manifest ? this.host.diagnose(manifest) : [];
    if (manifest && isFluxFile(manifest, diagnostics)) {
      const sent = JSON.stringify(diagnostics);
      if (this.shown.get(uri) === sent) return true;
      this.shown.set(uri, sent);
      this.host.send(uri, diagnostics);
      return true;
    }
    if (this.shown.delete(uri)) {
      this.host.send(uri, []);
      return true;
    }
    return false;
  }

  private drainSoon(): void {
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    let done = 0;
    for (const uri of this.queue) {
      this.queue.delete(uri);
      this.publish(uri);
      if (++done >= BATCH) break;
    }
    if (this.queue.size > 0) setImmediate(() => this.drain());
    else this.draining = false;
  }
}
