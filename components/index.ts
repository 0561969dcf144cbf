/**
 * The stack's components, one per file. `program.ts` composes them; they can also be used on their own in another
 * Pulumi program.
 */
export * from "./batch-environment";
export * from "./batch-job";
export * from "./image-build";
export * from "./image-repository";
export * from "./job-chain";
export * from "./job-schedule";
export * from "./monitoring";
export * from "./network";
