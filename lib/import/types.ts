/**
 * What the import reads out of a `docker run` or `docker compose run`, before it becomes an inventory job.
 */

/** Something Batch does differently. A `todo` must be looked at before the job is deployed; a `note` informs. */
export interface Finding {
  level: "todo" | "note";
  message: string;
}

/** One source of environment variables, in the order Docker applies them (a later source wins). */
export type EnvSource =
  /** `-e NAME=value`, compose `environment: {NAME: value}`. */
  | { kind: "value"; name: string; value: string; origin: string }
  /** `-e NAME`, compose `environment: [NAME]`: the value comes from the environment of the docker command. */
  | { kind: "inherit"; name: string; origin: string }
  /** `--env-file`, compose `env_file`. `path` is where the import reads it; `shownPath` is how the user wrote it. */
  | { kind: "file"; path: string; shownPath: string; origin: string; required: boolean; dockerFormat: boolean };

/** A container as the host runs it. */
export interface ContainerSpec {
  via: "docker run" | "docker compose run";
  /** `--name` of the container. */
  containerName?: string;
  /** The compose service. */
  service?: string;
  /** The image reference as written (after variable expansion); undefined for a compose service built on the host. */
  image?: string;
  /** Compose `build` context of a service without an image. */
  buildContext?: string;
  /** The command (arguments after the image, or compose `command`); undefined: the image's CMD. */
  command?: string[];
  /** `--entrypoint` or compose `entrypoint`. */
  entrypoint?: string[];
  env: EnvSource[];
  /** `-u` / compose `user`. */
  user?: string;
  /** CPUs the host allowed, and how it was written (for messages). */
  cpus?: { value: number; written: string };
  /** Memory limit in bytes, and how it was written. */
  memory?: { bytes: number; written: string };
  /** `--platform` / compose `platform`, e.g. "linux/arm64". */
  platform?: string;
  /** `--read-only` / compose `read_only`. */
  readOnly: boolean;
  /** Writable directories in the container: tmpfs mounts and anonymous volumes. */
  scratchPaths: string[];
  /** Compose services started before this one (`depends_on`), unless `--no-deps`. */
  dependsOn: string[];
  /** Variable references without a value, kept as written in the values above (compose interpolation). */
  unresolved: string[];
  findings: Finding[];
}
