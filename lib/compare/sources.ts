/**
 * The two sides of a comparison: a local file, a local directory, an S3 object or an S3 prefix. A source lists
 * its files by relative key (a directory's or a prefix's files are keyed by their path below it, with `/`
 * separators) and opens any of them as a stream of bytes. Nothing is loaded whole.
 */
import { createReadStream, promises as fsp } from "node:fs";
import * as path from "node:path";
import type { Readable } from "node:stream";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { CompareError, describeFailure, type Side } from "./errors";

/** The S3 SDK module, loaded only when a location is on S3 so that local comparisons start faster. */
type S3Sdk = typeof import("@aws-sdk/client-s3");

/** Where one side of the comparison lives. */
export type Location = { kind: "local"; path: string } | { kind: "s3"; bucket: string; key: string };

/** One file of a source. */
export interface Entry {
  /** Path relative to the location (`/` separated); for a single-file location, the file's base name. */
  key: string;
  /** Size in bytes as reported by the listing. */
  size: number;
  /** Full local path or `s3://bucket/key`, shown in reports and error messages. */
  display: string;
}

/** The files found at a location. */
export interface Listing {
  /** True when the location is one file rather than a directory or prefix. */
  single: boolean;
  entries: Entry[];
}

export interface Source {
  readonly side: Side;
  /** The location as the user gave it. */
  readonly location: string;
  list(): Promise<Listing>;
  /** Streams the bytes of one listed file. Read errors are `CompareError`s naming the side and the path. */
  open(entry: Entry): AsyncIterable<Buffer>;
}

/** How S3 locations are reached. */
export interface S3Settings {
  /** Custom endpoint (an S3-compatible server); defaults to `AWS_ENDPOINT_URL_S3`, then the SDK's own default. */
  endpoint?: string;
  /** AWS region; defaults to `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the SDK's configuration chain. */
  region?: string;
  /** Path-style addressing (`http://host/bucket/key`), which most S3-compatible servers need. Default false. */
  forcePathStyle?: boolean;
  /** A client to use instead of one built from the settings above; it is not destroyed after use. */
  client?: S3Client;
}

const S3_SCHEME = "s3://";

/** Parses `s3://bucket/key-or-prefix` or a local path. Throws a `CompareError` for a malformed S3 URL. */
export function parseLocation(text: string, side: Side): Location {
  if (text.toLowerCase().startsWith(S3_SCHEME)) {
    const rest = text.slice(S3_SCHEME.length);
    const slash = rest.indexOf("/");
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const key = slash === -1 ? "" : rest.slice(slash + 1);
    if (bucket === "") {
      throw new CompareError(`${side}: "${text}" has no bucket name (expected s3://bucket/prefix)`);
    }
    return { kind: "s3", bucket, key };
  }
  if (text === "") {
    throw new CompareError(`${side}: the path is empty`);
  }
  return { kind: "local", path: text };
}

/** Builds the S3 client configuration from the settings and the environment. */
export function s3ClientConfig(settings: S3Settings, env: NodeJS.ProcessEnv = process.env): S3ClientConfig {
  const config: S3ClientConfig = {};
  const endpoint = settings.endpoint ?? nonEmpty(env.AWS_ENDPOINT_URL_S3);
  if (endpoint !== undefined) {
    config.endpoint = endpoint;
  }
  const region = settings.region ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (region !== undefined) {
    config.region = region;
  }
  if (settings.forcePathStyle === true) {
    config.forcePathStyle = true;
  }
  return config;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function readError(side: Side, display: string, err: unknown): CompareError {
  return err instanceof CompareError ? err : new CompareError(`cannot read ${side} (${display}): ${describeFailure(err)}`);
}

/** Re-raises any error of `stream` as a `CompareError` naming the side and the path; closes it on early exit. */
async function* labelled(stream: AsyncIterable<Buffer>, side: Side, display: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) {
      yield chunk;
    }
  } catch (err) {
    throw readError(side, display, err);
  }
}

/** A local file or directory. Directories are walked recursively; symbolic links to files are followed. */
export class LocalSource implements Source {
  private readonly paths = new Map<string, string>();

  constructor(
    readonly side: Side,
    readonly location: string,
  ) {}

  async list(): Promise<Listing> {
    const root = path.resolve(this.location);
    let stat;
    try {
      stat = await fsp.stat(root);
    } catch (err) {
      throw readError(this.side, this.location, err);
    }
    if (stat.isFile()) {
      const key = path.basename(root);
      this.paths.set(key, root);
      return { single: true, entries: [{ key, size: stat.size, display: this.location }] };
    }
    if (!stat.isDirectory()) {
      throw new CompareError(`cannot read ${this.side} (${this.location}): neither a file nor a directory`);
    }
    const entries: Entry[] = [];
    await this.walk(root, "", entries);
    entries.sort((x, y) => compareKeys(x.key, y.key));
    return { single: false, entries };
  }

  private async walk(dir: string, prefix: string, out: Entry[]): Promise<void> {
    let children;
    try {
      children = await fsp.readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw readError(this.side, dir, err);
    }
    for (const child of children) {
      const full = path.join(dir, child.name);
      const key = prefix + child.name;
      if (child.isDirectory()) {
        await this.walk(full, key + "/", out);
        continue;
      }
      let size: number;
      try {
        const stat = child.isSymbolicLink() ? await fsp.stat(full) : await fsp.lstat(full);
        // Symbolic links to directories are not followed, so that a link loop cannot make the walk endless.
        if (!stat.isFile()) {
          continue;
        }
        size = stat.size;
      } catch (err) {
        throw readError(this.side, full, err);
      }
      this.paths.set(key, full);
      out.push({ key, size, display: full });
    }
  }

  open(entry: Entry): AsyncIterable<Buffer> {
    const full = this.paths.get(entry.key) ?? path.join(path.resolve(this.location), entry.key);
    return labelled(createReadStream(full) as AsyncIterable<Buffer>, this.side, entry.display);
  }
}

/** An S3 object, or every object under an S3 prefix. */
export class S3Source implements Source {
  private readonly keys = new Map<string, string>();

  constructor(
    readonly side: Side,
    readonly location: string,
    private readonly bucket: string,
    private readonly key: string,
    private readonly client: S3Client,
    private readonly sdk: S3Sdk,
  ) {}

  /**
   * A key that names an existing object is that one object; otherwise the key is a prefix (a `/` is added when
   * missing) and every object below it is listed. A location with neither is an error, since S3 has no empty
   * directories and a misspelt prefix would otherwise look like an empty output.
   */
  async list(): Promise<Listing> {
    let headError: unknown;
    if (this.key !== "" && !this.key.endsWith("/")) {
      try {
        const head = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.key }));
        const key = this.key.slice(this.key.lastIndexOf("/") + 1);
        this.keys.set(key, this.key);
        return { single: true, entries: [{ key, size: head.ContentLength ?? 0, display: this.location }] };
      } catch (err) {
        // 404: no such object, so the key is a prefix. 403: S3 answers so for a missing key when the caller may
        // not list the bucket, and also for an object the caller may not read; the listing tells them apart.
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status !== 404 && status !== 403) {
          throw new CompareError(`cannot read ${this.side} (${this.location}): ${describeFailure(err)}`);
        }
        headError = status === 403 ? err : undefined;
      }
    }
    const prefix = this.key === "" || this.key.endsWith("/") ? this.key : this.key + "/";
    const entries: Entry[] = [];
    try {
      for await (const page of this.sdk.paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: prefix })) {
        for (const object of page.Contents ?? []) {
          const full = object.Key;
          // Keys ending in "/" are folder placeholders created by consoles and tools, not files.
          if (full === undefined || full.endsWith("/")) {
            continue;
          }
          const key = full.slice(prefix.length);
          this.keys.set(key, full);
          entries.push({ key, size: object.Size ?? 0, display: `s3://${this.bucket}/${full}` });
        }
      }
    } catch (err) {
      throw new CompareError(`cannot list ${this.side} (${this.location}): ${describeFailure(err)}`);
    }
    if (entries.length === 0) {
      const reason = headError !== undefined ? describeFailure(headError) : "no object or prefix with that name";
      throw new CompareError(`cannot read ${this.side} (${this.location}): ${reason}`);
    }
    entries.sort((x, y) => compareKeys(x.key, y.key));
    return { single: false, entries };
  }

  open(entry: Entry): AsyncIterable<Buffer> {
    const key = this.keys.get(entry.key) ?? entry.key;
    const { client, bucket, side, sdk } = this;
    async function* body(): AsyncGenerator<Buffer> {
      let response;
      try {
        response = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      } catch (err) {
        throw readError(side, entry.display, err);
      }
      if (response.Body === undefined) {
        return;
      }
      yield* labelled(response.Body as Readable, side, entry.display);
    }
    return body();
  }
}

/** Orders keys by UTF-16 code units, which is stable across platforms and locales. */
export function compareKeys(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Creates the sources for both sides. S3 sides share one client, built only when an S3 location is present.
 * `close()` releases that client's connections.
 */
export async function openSources(
  a: string,
  b: string,
  settings: S3Settings = {},
): Promise<{ a: Source; b: Source; close(): void }> {
  const locations = [parseLocation(a, "a"), parseLocation(b, "b")] as const;
  let s3: { sdk: S3Sdk; client: S3Client } | undefined;
  if (locations.some((loc) => loc.kind === "s3")) {
    const sdk = await import("@aws-sdk/client-s3");
    s3 = { sdk, client: settings.client ?? new sdk.S3Client(s3ClientConfig(settings)) };
  }
  const make = (loc: Location, side: Side, text: string): Source =>
    loc.kind === "s3" && s3 !== undefined
      ? new S3Source(side, text, loc.bucket, loc.key, s3.client, s3.sdk)
      : new LocalSource(side, text);
  const owned = s3 !== undefined && settings.client === undefined ? s3.client : undefined;
  return {
    a: make(locations[0], "a", a),
    b: make(locations[1], "b", b),
    close() {
      owned?.destroy();
    },
  };
}
