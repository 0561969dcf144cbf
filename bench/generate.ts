/**
 * Synthetic job inventories for the benchmark: a realistic mix of platforms, sizes, schedules (including lines
 * that split into two Scheduler expressions), secrets from both stores, permissions, and shared repositories.
 */
import * as YAML from "yaml";

const SCHEDULES = ["0 2 * * *", "*/15 * * * 1-5", "30 6 * * MON-FRI", "0 0 1 * *", "0 7,19 * * *", "45 23 * * 0", "0 */4 * * *", "0 0 1,15 * 5", "@daily", "10 3 * * 6"];
const ZONES = ["Europe/Berlin", "America/New_York", "UTC", "Asia/Tokyo"];
const SIZES: [number, number][] = [
  [0.25, 512],
  [0.5, 1024],
  [1, 2048],
  [2, 4096],
  [4, 8192],
];
const PLATFORMS = ["fargate", "fargate-spot", "ec2", "ec2-spot"] as const;

/** A deterministic inventory of `count` jobs as YAML text. */
export function syntheticInventory(count: number): string {
  const jobs = Array.from({ length: count }, (_, i) => {
    const platform = PLATFORMS[i % PLATFORMS.length];
    const [vcpu, memory] = SIZES[i % SIZES.length];
    const ec2 = platform.startsWith("ec2");
    const job: Record<string, unknown> = {
      name: `job-${String(i).padStart(4, "0")}`,
      description: `Synthetic job ${i}`,
      image: { repository: `app-${i % 25}`, tag: `v1.${i % 7}.0` },
      command: ["python", "-m", "app", `--task=${i}`],
      platform,
      vcpu: ec2 ? Math.max(1, Math.ceil(vcpu)) : vcpu,
      memory,
      timeout: `${30 + (i % 90)}m`,
      schedule: SCHEDULES[i % SCHEDULES.length],
      timezone: ZONES[i % ZONES.length],
      user: "1000:1000",
      environment: { LOG_LEVEL: "INFO", TASK_ID: String(i), TARGET_BUCKET: `acme-bucket-${i % 10}` },
      secrets:
        i % 2 === 0
          ? { DB_PASSWORD: `arn:aws:secretsmanager:eu-central-1:123456789012:secret:batch/job-${i}/db-AbCdEf` }
          : { API_KEY: `/batch/job-${i}/api-key` },
      permissions: [{ actions: ["s3:GetObject", "s3:PutObject"], resources: [`arn:aws:s3:::acme-bucket-${i % 10}/job-${i}/*`] }],
      retry: { attempts: 3, exitCodes: [75] },
      typicalDurationMinutes: 5 + (i % 40),
    };
    if (i % 20 === 19) job.after = `job-${String(i - 1).padStart(4, "0")}`;
    return job;
  });
  return YAML.stringify({ version: 1, jobs });
}
