// The ImagePolicy domain, pure: Masterminds semver v3.5.0, Go's ParseFloat and regexp template expansion, and
// image-reflector-controller's policies. Each module names the upstream source it follows.
export { parseFloatGo, type GoParseFloatResult } from './parseFloat';
export { goQuote } from './goQuote';
export { newVersion, strictNewVersion, parseVersion, compareVersions, versionString, type SemverVersion } from './semver';
export { newConstraint, checkConstraints, validateConstraints, constraintsString, type Constraints } from './constraints';
export { newRegexFilter, applyRegexFilter, expandTemplate, unknownTemplateGroups, type RegexFilter } from './filter';
export {
  applyPolicy, policerFromSpec, policyKind, newSemVer, newAlphabetical, newNumerical,
  type ImagePolicyChoice, type TagFilter, type Policer, type PolicyKind, type PolicyResult,
} from './policies';
