// Condition and event reasons, named once as Flux names them. ImagePolicy's reasons join them here.

// fluxcd/pkg/apis/meta conditions.go: the generic reasons every Flux controller uses.
/** meta.SucceededReason: Ready=True after a successful reconcile; also the reason of Normal and Trace events. */
export const SucceededReason = 'Succeeded';
/** meta.FailedReason: Ready=False when an error is returned while Ready was still Unknown or True. */
export const FailedReason = 'Failed';
/** meta.ProgressingReason: Reconciling=True (and Ready=Unknown) while a reconcile runs. */
export const ProgressingReason = 'Progressing';
/** meta.ProgressingWithRetryReason: Reconciling=True at the end of a failed, not stalled, reconcile. */
export const ProgressingWithRetryReason = 'ProgressingWithRetry';
/** meta.FeatureGateDisabledReason: Stalled=True when spec needs a controller feature gate that is off. */
export const FeatureGateDisabledReason = 'FeatureGateDisabled';

// image-reflector-controller api/v1/condition_types.go.
/** imagev1.ImageURLInvalidReason: Stalled=True (and Ready=False) when `spec.image` does not parse. */
export const ImageURLInvalidReason = 'ImageURLInvalid';
/** imagev1.AuthenticationFailedReason: Ready=False when the auth options cannot be built. */
export const AuthenticationFailedReason = 'AuthenticationFailed';
/** imagev1.ReadOperationFailedReason: Ready=False when listing or filtering the tags failed. */
export const ReadOperationFailedReason = 'ReadOperationFailed';

/**
 * k8s.io/apimachinery metav1.StatusFailure: image-reflector-controller's `reconcile()` uses it as the Ready=False
 * reason when `shouldScan` cannot read the stored tags.
 */
export const StatusFailureReason = 'Failure';

// ImagePolicy (image-reflector-controller api/v1/condition_types.go, internal/controller/imagepolicy_controller.go).
/** imagev1.DependencyNotReadyReason: Ready=False when the ImageRepository is missing or has no tags yet. */
export const DependencyNotReadyReason = 'DependencyNotReady';
/** Stalled=True when the policy cannot be built (written as a literal in imagepolicy_controller.go). */
export const InvalidPolicyReason = 'InvalidPolicy';
/** imagev1.IntervalNotConfiguredReason: Stalled=True for digestReflectionPolicy Always without spec.interval. */
export const IntervalNotConfiguredReason = 'IntervalNotConfigured';
/** fluxcd/pkg/apis/acl AccessDeniedReason: Ready=False when accessFrom refuses the policy's namespace. */
export const AccessDeniedReason = 'AccessDenied';
