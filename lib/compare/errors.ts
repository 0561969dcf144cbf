/**
 * Errors that stop a comparison before it can produce a report: a location that cannot be read, an S3 request
 * that fails, an option with an invalid value. The message names the side (`a` or `b`) and the path, and is
 * meant to be shown to the user as is.
 */
export class CompareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CompareError";
  }
}

/** Which of the two compared locations a file or an error belongs to. */
export type Side = "a" | "b";

/** A short, human reason for a failed file-system or S3 operation, without a stack trace. */
export function describeFailure(err: unknown): string {
  if (err instanceof CompareError) {
    return err.message;
  }
  if (typeof err === "object" && err !== null) {
    const e = err as { code?: unknown; name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
    const code = typeof e.code === "string" ? e.code : undefined;
    switch (code) {
      case "ENOENT":
        return "no such file or directory";
      case "EACCES":
      case "EPERM":
        return "permission denied";
      case "EISDIR":
        return "is a directory";
      case "ENOTDIR":
        return "not a directory";
    }
    const message = typeof e.message === "string" && e.message !== "" ? e.message : undefined;
    const name = typeof e.name === "string" && e.name !== "Error" ? e.name : undefined;
    if (e.$metadata !== undefined) {
      // An AWS SDK service error: the error code (e.g. NoSuchBucket, AccessDenied) is its name.
      const status = e.$metadata.httpStatusCode;
      const parts = [name, message !== undefined && message !== "UnknownError" ? message : undefined].filter(Boolean);
      const text = parts.length > 0 ? parts.join(": ") : "request failed";
      return status !== undefined ? `${text} (HTTP ${status})` : text;
    }
    if (message !== undefined) {
      return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
    }
  }
  return String(err);
}
