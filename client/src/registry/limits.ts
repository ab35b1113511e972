// Bounds on what one listing may cost, so a hostile or broken registry yields a clear error, not unbounded
// memory or an endless loop. ECR caps pages at 1000 tags, so 10,000 pages covers ten million tags.
export interface ListLimits {
  maxPages: number;
  /** One response body. */
  maxResponseBytes: number;
  /** All pages together. */
  maxTotalBytes: number;
}

export const defaultLimits: ListLimits = {
  maxPages: 10_000,
  maxResponseBytes: 16 * 1024 * 1024,
  maxTotalBytes: 128 * 1024 * 1024,
};

/** ggcr's page size: ECR rejects n > 1000 (go-containerregistry pkg/v1/remote/list.go). */
export const pageSize = 1000;
