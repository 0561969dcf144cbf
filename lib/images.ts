/**
 * Container image references: an ECR repository created by the stack plus a version tag, or a full reference to
 * an image elsewhere (`public.ecr.aws/org/name:1.2.3`, `ghcr.io/org/name@sha256:...`).
 */

/** ECR repository name rules: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html */
export const ECR_REPOSITORY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** Docker tag rules: up to 128 characters of word characters, dots and dashes, not starting with a dot or dash. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface ParsedReference {
  /** Everything before the tag or digest: registry and path. */
  name: string;
  tag?: string;
  digest?: string;
}

/**
 * Splits a full image reference into name, tag and digest. A colon after the last slash starts the tag; a colon
 * before it belongs to a registry port (`registry:5000/app`).
 */
export function parseImageReference(ref: string): ParsedReference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { name: rest, tag, digest };
}

/**
 * Why an image reference is not pinned to a version, or undefined when it is. A digest pins the image; otherwise
 * a tag is required and must not be `latest`, which moves under the job without a deployment.
 */
export function unpinnedReason(ref: ParsedReference): string | undefined {
  if (ref.digest !== undefined) {
    return DIGEST.test(ref.digest) ? undefined : `digest "${ref.digest}" is not of the form sha256:<64 hex digits>`;
  }
  if (ref.tag === undefined || ref.tag === "") {
    return "has no tag: add a version tag such as :v1.2.0 or pin a digest (@sha256:...)";
  }
  if (ref.tag.toLowerCase() === "latest") {
    return 'uses the tag "latest", which changes under the job without a deployment: use a version tag such as v1.2.0';
  }
  if (!IMAGE_TAG.test(ref.tag)) {
    return `tag "${ref.tag}" is not a valid Docker tag (letters, digits, "_", "." and "-", at most 128 characters)`;
  }
  return undefined;
}

/** Replaces (or adds) the tag of a full reference, dropping any digest. */
export function withTag(ref: string, tag: string): string {
  return `${parseImageReference(ref).name}:${tag}`;
}
