/**
 * Fargate sizes for a container's host limits. Fargate runs a job with one of a fixed set of vCPU / memory pairs
 * (lib/fargate.ts); the import picks the smallest pair that gives at least what the host allowed:
 *
 * - vCPU: the CPU limit rounded up to the next Fargate vCPU count (`--cpus 1.5` -> 2); without a limit, 1 vCPU.
 * - memory: the memory limit in MiB rounded up to the next value Fargate allows with that vCPU count
 *   (`--memory 3000m` with 1 vCPU -> 3072). When the memory does not fit the vCPU count (10 GiB with 1 vCPU),
 *   the vCPU count is raised to the smallest one that allows it. Without a limit: the smallest memory of the vCPU
 *   count (2048 MiB with 1 vCPU, i.e. 2 GiB per vCPU).
 * - Above Fargate's largest size (16 vCPU, 120 GiB) the largest size is used, with a finding.
 *
 * A container without limits could use the whole host, so 1 vCPU / 2048 MiB is only a starting point; the finding
 * says so.
 */
import { FARGATE_SIZES } from "../fargate";
import type { Finding } from "./types";

export const DEFAULT_VCPU = 1;

const MIB = 1024 * 1024;

export interface FargateChoice {
  vcpu: number;
  /** MiB */
  memory: number;
  findings: Finding[];
}

function formatMiB(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`;
}

/** Picks the Fargate size for the host limits (`cpus` in CPUs, `memoryBytes` in bytes), both optional. */
export function fargateSize(
  cpus?: { value: number; written: string },
  memory?: { bytes: number; written: string },
): FargateChoice {
  const findings: Finding[] = [];
  const largest = FARGATE_SIZES[FARGATE_SIZES.length - 1];

  let size = FARGATE_SIZES.find((s) => s.vcpu === DEFAULT_VCPU)!;
  if (cpus !== undefined) {
    const fitting = FARGATE_SIZES.find((s) => s.vcpu >= cpus.value);
    if (fitting === undefined) {
      size = largest;
      findings.push({ level: "todo", message: `${cpus.written}: Fargate's largest size is ${largest.vcpu} vCPU; the job gets ${largest.vcpu}` });
    } else {
      size = fitting;
      if (size.vcpu !== cpus.value) findings.push({ level: "note", message: `${cpus.written}: rounded up to ${size.vcpu} vCPU, the next Fargate size` });
    }
  }

  if (memory === undefined) {
    const mib = size.memory[0];
    if (cpus === undefined) {
      findings.push({
        level: "note",
        message: `no CPU or memory limit on the host (the container could use the whole machine): sized ${size.vcpu} vCPU / ${mib} MiB as a starting point; measure a run (docker stats) and adjust`,
      });
    } else {
      findings.push({ level: "note", message: `no memory limit on the host: ${mib} MiB, the smallest Fargate allows with ${size.vcpu} vCPU; measure a run and adjust` });
    }
    return { vcpu: size.vcpu, memory: mib, findings };
  }

  const wanted = Math.ceil(memory.bytes / MIB);
  const fitting = FARGATE_SIZES.filter((s) => s.vcpu >= size.vcpu).find((s) => s.memory[s.memory.length - 1] >= wanted);
  if (fitting === undefined) {
    const max = largest.memory[largest.memory.length - 1];
    findings.push({ level: "todo", message: `${memory.written}: more than Fargate's largest size allows (${formatMiB(max)}); the job gets ${formatMiB(max)}` });
    return { vcpu: largest.vcpu, memory: max, findings };
  }
  if (fitting.vcpu !== size.vcpu) {
    findings.push({
      level: "note",
      message: `${memory.written}: Fargate allows ${formatMiB(wanted)} only with ${fitting.vcpu} vCPU or more, so the job gets ${fitting.vcpu} vCPU` +
        (cpus === undefined ? "" : ` instead of ${size.vcpu}`),
    });
  }
  const mib = fitting.memory.find((m) => m >= wanted)!;
  if (mib !== wanted) {
    findings.push({ level: "note", message: `${memory.written}: rounded up to ${mib} MiB, the next memory size Fargate allows with ${fitting.vcpu} vCPU` });
  }
  if (cpus === undefined && fitting.vcpu === size.vcpu) {
    findings.push({ level: "note", message: `no CPU limit on the host: ${fitting.vcpu} vCPU as a starting point; measure a run and adjust` });
  }
  return { vcpu: fitting.vcpu, memory: mib, findings };
}
