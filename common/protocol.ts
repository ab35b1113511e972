// Messages between the language server (which parses and indexes the workspace) and the extension host
// (which runs the reconciler). The server is the only publisher of diagnostics, so registry conditions
// travel back to it and are merged with its own. Each message is one typed `NotificationType`/`RequestType`
// that both ends import (as microsoft/vscode-eslint `$shared/customMessages.ts` does), so the compiler checks
// sender and receiver against one definition.
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type {
  AutomationTarget, DetectedFlux, ImagePolicyObject, ImagePolicyStatus, ImageRepositoryObject, ImageRepositoryStatus, NamespaceObject,
  SecretObject, ServiceAccountObject, SkippedObject,
} from './model';

export interface WorkspaceIndexParams {
  /** Only those the workspace's Flux would reconcile; the others are in `skipped`. */
  imageRepositories: ImageRepositoryObject[];
  secrets: SecretObject[];
  serviceAccounts: ServiceAccountObject[];
  /** ImageRepositories found and not reconciled, with the reason. */
  skipped?: SkippedObject[];
  /** The Flux the workspace runs, for the status bar. */
  flux?: FluxSummary;
  /** ImagePolicies the workspace's Flux would reconcile, and the Namespace manifests their accessFrom reads. */
  imagePolicies?: ImagePolicyObject[];
  namespaces?: NamespaceObject[];
  /** The ImageUpdateAutomations Flux applies, with the markers each would write (absent: none). */
  automations?: AutomationTarget[];
}

export interface FluxSummary {
  /** Empty when no Flux version was found. */
  found: DetectedFlux[];
  /** One line: `Flux version: Flux 2.6.4 from …` or why it is unknown. */
  description: string;
  /** Set when tagline.fluxVersion is not a version or range. */
  settingError?: string;
}
/** server → client, debounced: the whole workspace index whenever it changes. */
export const WorkspaceIndexNotification = new NotificationType<WorkspaceIndexParams>('tagline/workspaceIndex');

export interface ObjectStatus {
  /** `namespace/name` */
  key: string;
  uri: string;
  status: ImageRepositoryStatus;
  /** True while a scan for this object is in flight (Reconciling shown as a hint). */
  scanning: boolean;
}
export interface StatusParams {
  statuses: ObjectStatus[];
  /** Keys whose status is gone (object deleted, or the reconciler disabled / workspace untrusted). */
  removed: string[];
}
/** client → server: the current status of some objects (full replacement per key). */
export const StatusNotification = new NotificationType<StatusParams>('tagline/status');

export interface PolicyObjectStatus {
  /** `namespace/name` of the ImagePolicy (an ImageRepository may have the same key). */
  key: string;
  uri: string;
  status: ImagePolicyStatus;
}
export interface PolicyStatusParams {
  statuses: PolicyObjectStatus[];
  removed: string[];
}
/** client → server: the reconciler's ImagePolicy statuses (full replacement per key), for diagnostics and hovers. */
export const PolicyStatusNotification = new NotificationType<PolicyStatusParams>('tagline/policyStatus');

export interface StoredTagsParams { canonicalImageName: string }
export interface StoredTagsResult { tags: string[] | null }
/** server → client request: every tag stored for a canonical image (before exclusion), for exclusion hovers. */
export const StoredTagsRequest = new RequestType<StoredTagsParams, StoredTagsResult, void>('tagline/storedTags');

/** Command ids shared by hovers (command links) and the extension. */
export const Commands = {
  rescan: 'tagline.rescan',
  rescanAll: 'tagline.rescanAll',
  copyTag: 'tagline.copyTag',
  copyCanonicalName: 'tagline.copyCanonicalName',
  describe: 'tagline.describe',
  showEvents: 'tagline.showEvents',
  openManifest: 'tagline.openManifest',
  suspend: 'tagline.suspend',
  resume: 'tagline.resume',
  clearDatabase: 'tagline.clearDatabase',
  signIn: 'tagline.signIn',
  showLogs: 'tagline.showLogs',
  createImageRepository: 'tagline.createImageRepository',
} as const;
