/**
 * File-by-file comparison of two locations (local paths or S3) for the parallel-run phase of a migration:
 * statuses, sizes, SHA-256 checksums, and structural CSV and JSON comparison. Used by `migrate compare`.
 */
export * from "./checksum";
export * from "./compare";
export * from "./csv-diff";
export * from "./errors";
export * from "./json-diff";
export * from "./report";
export * from "./sources";
