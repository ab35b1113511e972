// The reconciler: Flux's image-reflector-controller for the objects of a workspace. The extension host and the
// CLI create one `Reconciler` each; everything below it is plain Node (no vscode).
export { Reconciler, type ReconcilerOptions, type Disposable } from './reconciler';
export { type RegistryApi, type Scheduler, ReconcileCancelled } from './types';
export { ScanQueue } from './scan-queue';
export type { ObjectStatus } from '../../../common/protocol';
export type { CredentialContext } from '../registry';
export { PolicyEvaluator, type PolicySource } from './policies';
export { PolicyReconciler, type PolicyReconcilerOptions } from './policy-reconciler';
