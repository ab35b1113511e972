// Public surface of the kustomize support: the WebAssembly module, the roots of a workspace and their builds.
export { appliedObject, ORIGIN_ANNOTATION, TRANSFORMATIONS_ANNOTATION, type AppliedObject, type Transformation } from './applied';
export { DEFAULT_BUILD_TIMEOUT_MS } from './budget';
export { KustomizeBuilds, type RootBuild, type WorkspaceBuild } from './builds';
export { defaultModuleDirectory, KustomizeModule, type KustomizeModuleOptions } from './module';
export { hostText, modulePath } from './paths';
export { KustomizePool, type KustomizeBuilder, type KustomizePoolOptions } from './pool';
export type { BuildRequest, BuiltObject, KustomizeResponse, PatchTarget, UnmatchedPatch } from './protocol';
export { findRoots, fluxKustomizations, KUSTOMIZATION_FILE_NAMES, type FluxKustomization, type Root, type RootFile } from './roots';
export { kustomizationVars, varsSource, type KustomizationVars, type VarsSource } from './vars';
export { appliedFiles, appliedObjectsOnly, isApplied, isAppliedUri, NOT_APPLIED_MESSAGE, uriPath, type AppliedFiles } from './reach';
