/**
 * The vCPU / memory combinations that AWS Batch accepts for jobs on Fargate.
 * Source: AWS Batch API reference, ResourceRequirement ("value" for MEMORY and VCPU on Fargate resources),
 * https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
 */
export interface FargateSize {
  vcpu: number;
  /** Allowed memory values in MiB, ascending. */
  memory: number[];
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

export const FARGATE_SIZES: readonly FargateSize[] = [
  { vcpu: 0.25, memory: [512, 1024, 2048] },
  { vcpu: 0.5, memory: range(1024, 4096, 1024) },
  { vcpu: 1, memory: range(2048, 8192, 1024) },
  { vcpu: 2, memory: range(4096, 16384, 1024) },
  { vcpu: 4, memory: range(8192, 30720, 1024) },
  { vcpu: 8, memory: range(16384, 61440, 4096) },
  { vcpu: 16, memory: range(32768, 122880, 8192) },
];

export const FARGATE_VCPUS: readonly number[] = FARGATE_SIZES.map((s) => s.vcpu);

/** Memory values (MiB) allowed with this vCPU count on Fargate, or undefined when the vCPU count is not allowed. */
export function fargateMemoryFor(vcpu: number): number[] | undefined {
  return FARGATE_SIZES.find((s) => s.vcpu === vcpu)?.memory;
}

/** A readable summary of the allowed memory values: "2048-8192 in steps of 1024" or "512, 1024, 2048". */
export function describeMemoryChoices(memory: readonly number[]): string {
  if (memory.length > 3) {
    const step = memory[1] - memory[0];
    return `${memory[0]}-${memory[memory.length - 1]} in steps of ${step}`;
  }
  return memory.join(", ");
}

/**
 * Checks a Fargate vCPU/memory pair; returns undefined when valid, otherwise the problem and the fix.
 */
export function checkFargatePair(vcpu: number, memory: number): string | undefined {
  const allowed = fargateMemoryFor(vcpu);
  if (!allowed) {
    return `${vcpu} vCPU is not a Fargate size: use one of ${FARGATE_VCPUS.join(", ")}`;
  }
  if (!allowed.includes(memory)) {
    return `${memory} MiB cannot be combined with ${vcpu} vCPU on Fargate: use ${describeMemoryChoices(allowed)} MiB`;
  }
  return undefined;
}
