// Pure validation (no LSP connection), shared by the language server and `tagline check`.
export { certSecretProblem, namespaceOf, ObjectIndex, proxySecretProblem, pullSecretProblem, secretKeys, type ReferenceIndex } from './references';
export { SERVED_API_VERSION } from './semantic';
export { byPosition, CONDITION_SOURCE, Severity, SOURCE, type QuickFix, type SeverityValue, type TaglineDiagnostic, type TextEdit } from './types';
export { isImageUpdateAutomation, isOurDocument, validateDocument, validateManifest } from './validate';
export { apiVersionDiagnostics, isImageKind, migrateTitle } from './apiVersions';
