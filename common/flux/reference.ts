// CONTRACT (implementation in progress by the coordinator): spec.image → canonical name, exactly as the
// controller's registry.ParseImageReference with go-containerregistry v0.21.6 (flux-behaviour.md §2).

export interface ImageReference {
  /** `RegistryStr()`: `index.docker.io`, `ghcr.io`, `localhost:5000`, … */
  registry: string;
  /** `RepositoryStr()`: with `library/` added for Docker Hub single names. */
  repository: string;
  /** `registry + "/" + repository`, the status' canonicalImageName. */
  canonicalImageName: string;
  /** `Registry.Scheme()`: `http` means plain HTTP is allowed (raced after HTTPS), never that TLS is skipped. */
  scheme: 'https' | 'http';
}

export type ImageReferenceError = {
  ok: false;
  /** The controller's own message, e.g. `could not parse reference: Alpine`. */
  message: string;
  kind: 'scheme' | 'tag' | 'invalid';
  /** A more precise reason (the ggcr message the controller throws away), for editors only. */
  detail?: string;
};

export type ParseImageReferenceResult = { ok: true; reference: ImageReference } | ImageReferenceError;

export function parseImageReference(image: string, insecure = false): ParseImageReferenceResult {
  throw new Error(`not implemented yet: ${image} ${insecure}`);
}
