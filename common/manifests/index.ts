// Public surface of the manifest loader (used by the language server, `tagline check` and `tagline scan`).
export { splitDocuments, type TextChunk } from './chunks';
export { findManifestFiles, isYamlPath, loadManifests, loadWorkspaceObjects, mergeObjects, type LoadedManifest } from './load';
export { isFluxImagePolicy, isFluxImageRepository, repositoryOf, FLUX_IMAGE_GROUP } from './objects';
export {
  addDocumentObjects, documentAtLine, emptyWorkspaceObjects, manifestDocument, parseChunk, parseManifestText,
  type ChunkCache, type ManifestDocument, type ParsedChunk, type ParsedManifest, type SyntaxProblem, type YamlTree,
} from './parse';
export { containsPosition, LineIndex, shiftRange } from './positions';
export { admissionReason } from './admission';
export { describeFluxVersions, detectFluxVersions, fluxEvidence, shortPath } from './fluxInstall';
export { servedObjects } from './served';
