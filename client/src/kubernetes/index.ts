// The Kubernetes library the CLI and the extension use (docs/architecture.md): kubeconfig, a watched cluster
// source of ImageRepositories and ImagePolicies, and the flux CLI's two writes. No vscode import.
export { loadKubeConfig, contextNames, contextNamespace, kubeconfigFiles, type KubeConfigOptions } from './kubeconfig';
export { KubernetesError, kubernetesError, redact } from './errors';
export { discoverImageGroup, FLUX_IMAGE_GROUP, type ServedGroup } from './discovery';
export { ClusterSource, FLUX_IMAGE_KINDS, type ClusterChange, type ClusterSourceOptions, type ClusterState, type ConnectionPhase } from './source';
export { clusterObjectKey, latestImage, slimObject, readyOf, ReconcileRequestAnnotation, type ClusterObject, type ClusterStatus, type ImageRef } from './objects';
export { goRfc3339Nano, requestReconciliation, setSuspended, type ObjectRef } from './writes';
export { clusterSubjects, workspacePolicySubjects, workspaceSubjects } from './drift';
export { listObjects, PLURALS, type InformerScope } from './informer';
export { clusterSummary } from './summary';
