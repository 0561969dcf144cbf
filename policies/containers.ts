/**
 * Container hardening of AWS Batch job definitions: who the process runs as and what of the host it can touch.
 */
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { forEachContainer } from "./lib/policy";
import { asArray, asBoolean, asString, at, isUnknown, show } from "./lib/values";

/** True when a Docker `user` value ("name", "uid", "uid:gid", "name:group") selects the root user. */
export function isRootUser(user: string): boolean {
  const who = user.split(":")[0].trim();
  if (who.toLowerCase() === "root") return true;
  return /^\d+$/.test(who) && Number(who) === 0;
}

/**
 * The container runs as a named non-root user. Without `user` the image's USER applies, which the job definition
 * cannot vouch for; on-premise cron jobs often ran as root by accident.
 */
export const jobContainerNonRootUser: ResourceValidationPolicy = {
  name: "job-container-non-root-user",
  description:
    "Job containers must set 'user' to a non-root user (not missing or empty, not 'root', '0' or '0:0'), so that a compromised or " +
    "buggy job cannot act as root inside the container or on mounted volumes.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    forEachContainer(jd, args, report, ({ container, subject }) => {
      const user = container.props.user;
      if (isUnknown(user)) return;
      const text = asString(user)?.trim();
      if (text === undefined || text === "") {
        report(
          `${subject} must set "user" to a non-root user (found ${show(user)}, so the image's default user, often root, applies). ` +
            `Set "user" to the unprivileged UID:GID the image creates, e.g. "1000:1000".`,
        );
      } else if (isRootUser(text)) {
        report(`${subject} must not run as root (found user ${show(user)}). Set "user" to an unprivileged UID:GID such as "1000:1000".`);
      }
    });
  }),
};

/** No privileged containers: `privileged` gives the container every capability and access to host devices. */
export const jobContainerNotPrivileged: ResourceValidationPolicy = {
  name: "job-container-not-privileged",
  description:
    "Job containers must not set 'privileged' to true: a privileged container has all Linux capabilities and the host's devices, " +
    "so an escape reaches the instance and every other job on it.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    forEachContainer(jd, args, report, ({ container, subject }) => {
      const privileged = container.props.privileged;
      if (asBoolean(privileged) === true) {
        report(`${subject} must not be privileged (found privileged: ${show(privileged)}). Remove "privileged" and grant only what the job needs.`);
      }
    });
  }),
};

/** No host devices mapped into the container (`linuxParameters.devices`). */
export const jobContainerNoHostDevices: ResourceValidationPolicy = {
  name: "job-container-no-host-devices",
  description:
    "Job containers must not map host devices (linuxParameters.devices): a device node gives the job direct access to the instance's " +
    "hardware, which a batch job that moved from a cron host does not need.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    forEachContainer(jd, args, report, ({ container, subject }) => {
      const devices = at(container.props, "linuxParameters", "devices");
      if (isUnknown(devices)) return;
      const list = asArray(devices);
      if (list === undefined || list.length === 0) return;
      const paths = list.map((d) => asString(at(d, "hostPath")) ?? show(d));
      report(
        `${subject} must not map host devices (found linuxParameters.devices with ${paths.map((p) => JSON.stringify(p)).join(", ")}). ` +
          `Remove "devices"; reach data through S3, EFS or a volume instead.`,
      );
    });
  }),
};

/**
 * Advisory: a read-only root file system keeps a job from changing its own image at run time; scratch files go to
 * a mounted volume.
 */
export const jobContainerReadOnlyRootFs: ResourceValidationPolicy = {
  name: "job-container-read-only-root-fs",
  description:
    "Job containers should set 'readonlyRootFilesystem' to true, so that a job cannot alter its own image at run time; scratch data " +
    "goes to a mounted volume. Advisory: many migrated jobs write to the image's file system and need changes first.",
  enforcementLevel: "advisory",
  validateResource: validateResourceOfType(aws.batch.JobDefinition, (jd, args, report) => {
    forEachContainer(jd, args, report, ({ container, subject }) => {
      const ro = container.props.readonlyRootFilesystem;
      if (isUnknown(ro) || asBoolean(ro) === true) return;
      report(
        `${subject} should set "readonlyRootFilesystem" to true (found ${show(ro)}). ` +
          `Write scratch files to a mounted volume (e.g. a "volumes"/"mountPoints" pair) and make the root file system read-only.`,
      );
    });
  }),
};

export const containerPolicies: ResourceValidationPolicy[] = [
  jobContainerNonRootUser,
  jobContainerNotPrivileged,
  jobContainerNoHostDevices,
  jobContainerReadOnlyRootFs,
];
