// Open documents and their parsed manifests. Parsing is lazy and per version, so a request that arrives right
// after an edit sees the edit, and each document keeps its own cache of parsed YAML documents.
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseManifestText, type ChunkCache, type ParsedManifest } from '../../../common/manifests';

interface Entry { version: number; manifest: ParsedManifest; cache: ChunkCache }

export class ManifestDocuments {
  private readonly entries = new Map<string, Entry>();

  /** The document's manifest at its current version. */
  manifest(document: TextDocument): ParsedManifest {
    let entry = this.entries.get(document.uri);
    if (entry && entry.version === document.version) return entry.manifest;
    const cache = entry?.cache ?? new Map();
    const manifest = parseManifestText(document.uri, document.getText(), cache);
    entry = { version: document.version, manifest, cache };
    this.entries.set(document.uri, entry);
    return manifest;
  }

  forget(uri: string): void {
    this.entries.delete(uri);
  }
}

export function isYamlDocument(document: TextDocument): boolean {
  return document.languageId === 'yaml' || /\.ya?ml$/i.test(document.uri);
}
