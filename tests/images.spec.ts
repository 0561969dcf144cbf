import * as assert from "node:assert/strict";
import { parseImageReference, unpinnedReason, withTag } from "../lib/images";

describe("image references", () => {
  it("splits registry ports from tags", () => {
    assert.deepEqual(parseImageReference("registry.local:5000/team/app:1.2.3"), { name: "registry.local:5000/team/app", tag: "1.2.3", digest: undefined });
    assert.deepEqual(parseImageReference("registry.local:5000/team/app"), { name: "registry.local:5000/team/app", tag: undefined, digest: undefined });
  });
  it("reads digests", () => {
    const d = `sha256:${"0".repeat(64)}`;
    assert.deepEqual(parseImageReference(`app:1.0@${d}`), { name: "app", tag: "1.0", digest: d });
    assert.equal(unpinnedReason(parseImageReference(`app@${d}`)), undefined);
  });
  it("explains why an image is not pinned", () => {
    assert.match(unpinnedReason(parseImageReference("app"))!, /has no tag/);
    assert.match(unpinnedReason(parseImageReference("app:LATEST"))!, /uses the tag "latest"/);
    assert.match(unpinnedReason(parseImageReference("app@sha256:abc"))!, /is not of the form sha256:<64 hex digits>/);
    assert.match(unpinnedReason(parseImageReference("app:-bad"))!, /is not a valid Docker tag/);
    assert.equal(unpinnedReason(parseImageReference("app:v1.2.3")), undefined);
  });
  it("re-tags a reference, dropping its digest", () => {
    assert.equal(withTag(`ghcr.io/a/b:1@sha256:${"1".repeat(64)}`, "2"), "ghcr.io/a/b:2");
  });
});
