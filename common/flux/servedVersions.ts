// Which apiVersions of the image-automation kinds each Flux release serves. The facts come from the
// controllers' CRDs at each release tag (`config/crd/bases/image.toolkit.fluxcd.io_*.yaml`: `served`, `storage`,
// `deprecated`, `deprecationWarning`) and from flux2's `manifests/bases/image-*-controller/kustomization.yaml`,
// which pins the controller release each Flux release installs. Plain data, no I/O.

export const IMAGE_KINDS = ['ImageRepository', 'ImagePolicy', 'ImageUpdateAutomation'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

export type ImageController = 'image-reflector-controller' | 'image-automation-controller';

export function controllerOf(kind: ImageKind): ImageController {
  return kind === 'ImageUpdateAutomation' ? 'image-automation-controller' : 'image-reflector-controller';
}

/** One version in a CRD's `spec.versions`: served, and with the CRD's `deprecationWarning` when deprecated. */
export interface ServedVersion { name: string; storage?: true; deprecationWarning?: string }

interface ControllerSeries {
  /** `v0.35` covers v0.35.0 … v0.35.x: the served versions did not change within any minor series. */
  series: string;
  versions: Partial<Record<ImageKind, ServedVersion[]>>;
}

const dep = (version: string, kind: ImageKind, upgradeTo: string): ServedVersion =>
  ({ name: version, deprecationWarning: `${version} ${kind} is deprecated, upgrade to ${upgradeTo}` });

const REFLECTOR_V0: ControllerSeries['versions'] = {
  ImageRepository: [{ name: 'v1beta1' }, { name: 'v1beta2', storage: true }],
  ImagePolicy: [{ name: 'v1beta1' }, { name: 'v1beta2', storage: true }],
};
const REFLECTOR_V1_0: ControllerSeries['versions'] = {
  ImageRepository: [{ name: 'v1', storage: true }, dep('v1beta2', 'ImageRepository', 'v1')],
  ImagePolicy: [{ name: 'v1', storage: true }, dep('v1beta2', 'ImagePolicy', 'v1')],
};
const REFLECTOR_V1_2: ControllerSeries['versions'] = {
  ImageRepository: [{ name: 'v1', storage: true }],
  ImagePolicy: [{ name: 'v1', storage: true }],
};
const AUTOMATION_V0_35: ControllerSeries['versions'] = { ImageUpdateAutomation: [{ name: 'v1beta1', storage: true }] };
const AUTOMATION_V0_38: ControllerSeries['versions'] = {
  ImageUpdateAutomation: [dep('v1beta1', 'ImageUpdateAutomation', 'v1beta2'), { name: 'v1beta2', storage: true }],
};
const AUTOMATION_V1_0: ControllerSeries['versions'] = {
  ImageUpdateAutomation: [{ name: 'v1', storage: true }, dep('v1beta2', 'ImageUpdateAutomation', 'v1')],
};
const AUTOMATION_V1_2: ControllerSeries['versions'] = { ImageUpdateAutomation: [{ name: 'v1', storage: true }] };

const REFLECTOR: ControllerSeries[] = [
  ...['v0.29', 'v0.30', 'v0.31', 'v0.32', 'v0.33', 'v0.34', 'v0.35'].map((series) => ({ series, versions: REFLECTOR_V0 })),
  { series: 'v1.0', versions: REFLECTOR_V1_0 },
  { series: 'v1.1', versions: REFLECTOR_V1_0 },
  { series: 'v1.2', versions: REFLECTOR_V1_2 },
];
const AUTOMATION: ControllerSeries[] = [
  ...['v0.35', 'v0.36', 'v0.37'].map((series) => ({ series, versions: AUTOMATION_V0_35 })),
  ...['v0.38', 'v0.39', 'v0.40', 'v0.41'].map((series) => ({ series, versions: AUTOMATION_V0_38 })),
  { series: 'v1.0', versions: AUTOMATION_V1_0 },
  { series: 'v1.1', versions: AUTOMATION_V1_0 },
  { series: 'v1.2', versions: AUTOMATION_V1_2 },
];

/** A Flux minor release, its patch releases, and the controller releases its newest patch installs. */
export interface FluxRelease {
  minor: string;
  patches: number[];
  reflector: string;
  automation: string;
}

/** flux2 `manifests/bases/image-{reflector,automation}-controller/kustomization.yaml` at each minor's last patch. */
export const FLUX_RELEASES: readonly FluxRelease[] = [
  { minor: '2.0', patches: [0, 1], reflector: 'v0.29.1', automation: 'v0.35.0' },
  { minor: '2.1', patches: [0, 1, 2], reflector: 'v0.30.0', automation: 'v0.36.1' },
  { minor: '2.2', patches: [0, 1, 2, 3], reflector: 'v0.31.2', automation: 'v0.37.1' },
  { minor: '2.3', patches: [0], reflector: 'v0.32.0', automation: 'v0.38.0' },
  { minor: '2.4', patches: [0], reflector: 'v0.33.0', automation: 'v0.39.0' },
  { minor: '2.5', patches: [0, 1], reflector: 'v0.34.0', automation: 'v0.40.0' },
  { minor: '2.6', patches: [0, 1, 2, 3, 4], reflector: 'v0.35.2', automation: 'v0.41.2' },
  { minor: '2.7', patches: [0, 1, 2, 3, 4, 5], reflector: 'v1.0.4', automation: 'v1.0.4' },
  { minor: '2.8', patches: [0, 1, 2, 3, 4, 5, 6, 7, 8], reflector: 'v1.1.2', automation: 'v1.1.4' },
  { minor: '2.9', patches: [0, 1, 2, 3, 4, 5], reflector: 'v1.2.5', automation: 'v1.2.5' },
];

export const LATEST_FLUX_MINOR = FLUX_RELEASES[FLUX_RELEASES.length - 1].minor;

/** `v0.35.2` → `v0.35`. */
function seriesOf(release: string): string {
  return release.replace(/^v?(\d+)\.(\d+).*$/, 'v$1.$2');
}

function seriesTable(controller: ImageController): ControllerSeries[] {
  return controller === 'image-reflector-controller' ? REFLECTOR : AUTOMATION;
}

export function fluxRelease(minor: string): FluxRelease | undefined {
  return FLUX_RELEASES.find((r) => r.minor === minor);
}

/** The controller release a Flux minor installs (its newest patch's). */
export function controllerRelease(minor: string, controller: ImageController): string | undefined {
  const release = fluxRelease(minor);
  if (!release) return undefined;
  return controller === 'image-reflector-controller' ? release.reflector : release.automation;
}

/** The Flux minor that installs a controller release (`v1.0.4` → `2.7`), by its minor series. */
export function fluxMinorOfController(controller: ImageController, release: string): string | undefined {
  const series = seriesOf(release);
  const key = controller === 'image-reflector-controller' ? 'reflector' : 'automation';
  return [...FLUX_RELEASES].reverse().find((r) => seriesOf(r[key]) === series)?.minor;
}

/** The versions of `kind` a controller release's CRD serves, or undefined for a release outside the table. */
export function servedByController(kind: ImageKind, release: string): ServedVersion[] | undefined {
  const series = seriesOf(release);
  return seriesTable(controllerOf(kind)).find((s) => s.series === series)?.versions[kind];
}

/** The versions of `kind` a Flux minor serves, or undefined for a minor outside the table. */
export function servedByFlux(kind: ImageKind, minor: string): ServedVersion[] | undefined {
  const release = controllerRelease(minor, controllerOf(kind));
  return release ? servedByController(kind, release) : undefined;
}

/** The first Flux minor after `minor` that no longer serves `version` of `kind`. */
export function removedIn(kind: ImageKind, version: string, minor: string): string | undefined {
  const start = FLUX_RELEASES.findIndex((r) => r.minor === minor);
  if (start === -1) return undefined;
  for (const release of FLUX_RELEASES.slice(start + 1)) {
    if (!servedByFlux(kind, release.minor)?.some((v) => v.name === version)) return release.minor;
  }
  return undefined;
}

/** The newest Flux minor whose CRD for `kind` serves exactly these versions (a CRD found without a label). */
export function fluxMinorServing(kind: ImageKind, versions: string[]): string | undefined {
  const wanted = [...versions].sort().join(',');
  return [...FLUX_RELEASES].reverse().find((r) =>
    (servedByFlux(kind, r.minor) ?? []).map((v) => v.name).sort().join(',') === wanted)?.minor;
}
