/**
 * vCPU / memory combinations AWS Batch accepts for jobs on Fargate, from the AWS Batch API reference for
 * ResourceRequirement (`type` VCPU and MEMORY, "For jobs that are running on Fargate resources"):
 * https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
 */

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** vCPU to the memory values (MiB) allowed with it. */
export const FARGATE_MEMORY_BY_VCPU: ReadonlyMap<number, readonly number[]> = new Map<number, readonly number[]>([
  [0.25, [512, 1024, 2048]],
  [0.5, range(1024, 4096, 1024)],
  [1, range(2048, 8192, 1024)],
  [2, range(4096, 16384, 1024)],
  [4, range(8192, 30720, 1024)],
  [8, range(16384, 61440, 4096)],
  [16, range(32768, 122880, 8192)],
  [32, [61440, 122880, 249856]],
]);

/** "2048-8192 in steps of 1024" or "512, 1024, 2048". */
export function describeMemory(values: readonly number[]): string {
  if (values.length > 3) {
    const step = values[1] - values[0];
    const even = values.every((v, i) => i === 0 || v - values[i - 1] === step);
    if (even) return `${values[0]}-${values[values.length - 1]} in steps of ${step}`;
  }
  return values.join(", ");
}
