/**
 * Container image references: `[registry[:port]/]path[:tag][@digest]`.
 */

export interface ImageReference {
  /** Registry host (with port), `docker.io` when the reference names none. */
  registry: string;
  /** Repository path inside the registry. */
  repository: string;
  tag?: string;
  /** `sha256:...` when the reference is pinned by digest. */
  digest?: string;
}

/** A private ECR registry host: `<account>.dkr.ecr.<region>.amazonaws.com` (or `.amazonaws.com.cn`). */
export const PRIVATE_ECR_REGISTRY = /^\d{12}\.dkr(-fips)?\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** A sha256 digest as Docker writes it. */
export const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Splits an image reference. A colon after the last slash starts the tag; one before it is a registry port. */
export function parseImage(ref: string): ImageReference {
  let rest = ref.trim();
  let digest: string | undefined;
  const atSign = rest.indexOf("@");
  if (atSign >= 0) {
    digest = rest.slice(atSign + 1);
    rest = rest.slice(0, atSign);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry = "docker.io";
  let repository = rest;
  const first = rest.indexOf("/");
  if (first > 0) {
    const head = rest.slice(0, first);
    if (head.includes(".") || head.includes(":") || head === "localhost") {
      registry = head;
      repository = rest.slice(first + 1);
    }
  }
  return { registry, repository, tag, digest };
}
