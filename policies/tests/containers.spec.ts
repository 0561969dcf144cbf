import * as aws from "@pulumi/aws";
import * as assert from "assert";
import {
  isRootUser,
  jobContainerNoHostDevices,
  jobContainerNonRootUser,
  jobContainerNotPrivileged,
  jobContainerReadOnlyRootFs,
} from "../containers";
import { jobDefinition } from "./fixtures";
import { assertHasViolation, assertNoViolations, resourceArgs, UNKNOWN } from "./harness";

const jd = (container: Record<string, unknown>) => resourceArgs(aws.batch.JobDefinition, jobDefinition({ container }), { name: "etl-job" });

describe("isRootUser", () => {
  it("recognises root by name and uid", () => {
    for (const u of ["root", "ROOT", "0", "0:0", "00", "root:wheel", "0:1000"]) assert.ok(isRootUser(u), u);
    for (const u of ["1000", "1000:1000", "appuser", "app:root", "10"]) assert.ok(!isRootUser(u), u);
  });
});

describe("job-container-non-root-user", () => {
  it("accepts a non-root uid:gid", () => assertNoViolations(jobContainerNonRootUser, jd({})));
  it("accepts a user name", () => assertNoViolations(jobContainerNonRootUser, jd({ user: "appuser" })));
  it("rejects a missing user", () => assertHasViolation(jobContainerNonRootUser, jd({ user: undefined }), 'must set "user" to a non-root user (found nothing'));
  it("rejects an empty user", () => assertHasViolation(jobContainerNonRootUser, jd({ user: " " }), 'must set "user"'));
  it("rejects root", () => assertHasViolation(jobContainerNonRootUser, jd({ user: "root" }), 'must not run as root (found user "root")'));
  it("rejects 0", () => assertHasViolation(jobContainerNonRootUser, jd({ user: "0" }), "must not run as root"));
  it("rejects 0:0", () => assertHasViolation(jobContainerNonRootUser, jd({ user: "0:0" }), '"0:0"'));
  it("skips an unknown user", () => assertNoViolations(jobContainerNonRootUser, jd({ user: UNKNOWN })));
});

describe("job-container-not-privileged", () => {
  it("accepts privileged false", () => assertNoViolations(jobContainerNotPrivileged, jd({})));
  it("accepts privileged missing", () => assertNoViolations(jobContainerNotPrivileged, jd({ privileged: undefined })));
  it("rejects privileged true", () => assertHasViolation(jobContainerNotPrivileged, jd({ privileged: true }), "must not be privileged (found privileged: true)"));
});

describe("job-container-no-host-devices", () => {
  it("accepts no devices", () => assertNoViolations(jobContainerNoHostDevices, jd({ linuxParameters: { initProcessEnabled: true } })));
  it("accepts an empty device list", () => assertNoViolations(jobContainerNoHostDevices, jd({ linuxParameters: { devices: [] } })));
  it("rejects a host device", () =>
    assertHasViolation(
      jobContainerNoHostDevices,
      jd({ linuxParameters: { devices: [{ hostPath: "/dev/fuse", permissions: ["READ"] }] } }),
      'must not map host devices (found linuxParameters.devices with "/dev/fuse")',
    ));
});

describe("job-container-read-only-root-fs", () => {
  it("is advisory", () => assert.strictEqual(jobContainerReadOnlyRootFs.enforcementLevel, "advisory"));
  it("accepts a read-only root", () => assertNoViolations(jobContainerReadOnlyRootFs, jd({})));
  it("advises when missing", () =>
    assertHasViolation(jobContainerReadOnlyRootFs, jd({ readonlyRootFilesystem: undefined }), 'should set "readonlyRootFilesystem" to true (found nothing)'));
  it("advises when false", () => assertHasViolation(jobContainerReadOnlyRootFs, jd({ readonlyRootFilesystem: false }), "(found false)"));
});
