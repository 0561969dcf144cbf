/**
 * The stack's CloudWatch dashboard body, built as plain data from names the program knows before deployment.
 * Body format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 *
 * Sources, all of which exist without extra configuration:
 * - `AWS/Events` rule metrics of the FAILED and queue-blocked rules (`TriggeredRules`: events matched,
 *   `Invocations`: deliveries to the topic, `FailedInvocations`: deliveries that failed, e.g. a key policy problem).
 * - Logs Insights widgets over the jobs' log groups: outcomes per queue from the lines the jobs write
 *   (`job_finished` / `job_failed`, one per attempt), recent lines and run durations per job.
 * - `AWS/SQS` depth of the schedules' dead-letter queue, when the stack has one.
 */

export interface DashboardQueue {
  /** Queue name, e.g. `dev-fargate`. */
  name: string;
  /** Log groups of the jobs submitted to this queue. */
  logGroups: string[];
}

export interface DashboardJob {
  name: string;
  logGroup: string;
  queue: string;
}

export interface DashboardInput {
  environment: string;
  region: string;
  failedRule: string;
  blockedRule: string;
  queues: DashboardQueue[];
  jobs: DashboardJob[];
  /** Name of the schedules' dead-letter queue, when there is one. */
  deadLetterQueue?: string;
}

type MetricRow = (string | { stat?: string; label?: string })[];

export interface Widget {
  type: "text" | "metric" | "log";
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

export interface DashboardBody {
  start: string;
  periodOverride: "inherit";
  widgets: Widget[];
}

/** Places widgets left to right in rows of 24 grid units. */
class Grid {
  readonly widgets: Widget[] = [];
  private x = 0;
  private y = 0;
  private rowHeight = 0;

  add(width: number, height: number, type: Widget["type"], properties: Record<string, unknown>): void {
    if (this.x + width > 24) this.newRow();
    this.widgets.push({ type, x: this.x, y: this.y, width, height, properties });
    this.x += width;
    this.rowHeight = Math.max(this.rowHeight, height);
  }

  newRow(): void {
    if (this.x === 0) return;
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

/** Log groups one Logs Insights query may read. */
export const MAX_QUERY_LOG_GROUPS = 50;

/**
 * Jobs that get their own widgets. CloudWatch allows 500 widgets per dashboard; with two per job, larger
 * inventories chart the first jobs and point to the saved queries for the rest.
 */
export const MAX_JOBS_WITH_WIDGETS = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `SOURCE '/a' | SOURCE '/b' | ...`: a Logs Insights query over several log groups. */
export function logsQuery(logGroups: readonly string[], body: string): string {
  if (logGroups.length === 0) throw new Error("a Logs Insights widget needs at least one log group");
  if (logGroups.length > MAX_QUERY_LOG_GROUPS) {
    throw new Error(`a Logs Insights query reads at most ${MAX_QUERY_LOG_GROUPS} log groups (found ${logGroups.length})`);
  }
  return `${logGroups.map((g) => `SOURCE '${g}'`).join(" | ")} | ${body}`;
}

/** The dashboard: alert rules, then one outcome widget per queue, two widgets per job, and the dead-letter queue. */
export function dashboardBody(input: DashboardInput): DashboardBody {
  const { region } = input;
  const grid = new Grid();

  grid.add(24, 2, "text", {
    markdown:
      `## AWS Batch jobs (${input.environment})\n` +
      "Alerts come from AWS Batch events (FAILED jobs, blocked queues) through EventBridge to the stack's SNS topic. " +
      "Outcomes and durations below are read from the jobs' own log lines (one line per attempt), so a job that " +
      "fails before its container starts appears only in the alert counts.",
  });

  const ruleMetrics = (rule: string): MetricRow[] => [
    ["AWS/Events", "TriggeredRules", "RuleName", rule, { stat: "Sum", label: "matched" }],
    ["AWS/Events", "Invocations", "RuleName", rule, { stat: "Sum", label: "sent to the topic" }],
    ["AWS/Events", "FailedInvocations", "RuleName", rule, { stat: "Sum", label: "delivery failed" }],
  ];
  grid.add(12, 6, "metric", {
    title: "Failed jobs (Batch Job State Change: FAILED)",
    region,
    view: "timeSeries",
    stat: "Sum",
    period: 3600,
    metrics: ruleMetrics(input.failedRule),
  });
  grid.add(12, 6, "metric", {
    title: "Blocked queues (Batch Job Queue Blocked)",
    region,
    view: "timeSeries",
    stat: "Sum",
    period: 3600,
    metrics: ruleMetrics(input.blockedRule),
  });
  grid.newRow();

  for (const queue of input.queues) {
    // A queue with more jobs than one query can read gets one widget per slice of its log groups.
    const slices = chunks(queue.logGroups, MAX_QUERY_LOG_GROUPS);
    slices.forEach((slice, i) => {
      const part = slices.length > 1 ? `, part ${i + 1} of ${slices.length}` : "";
      grid.add(24 / Math.min(2, input.queues.length), 6, "log", {
        title: `Job outcomes on ${queue.name} (attempts, from job log lines${part})`,
        region,
        view: "table",
        query: logsQuery(slice, 'filter event in ["job_finished", "job_failed"] | stats count(*) as attempts by event, job_queue | sort event'),
      });
    });
  }
  grid.newRow();

  if (input.jobs.length > MAX_JOBS_WITH_WIDGETS) {
    grid.add(24, 2, "text", {
      markdown:
        `Per-job widgets cover the first ${MAX_JOBS_WITH_WIDGETS} of ${input.jobs.length} jobs (CloudWatch allows 500 widgets per dashboard). ` +
        "For the others, open the saved Logs Insights queries of this stack or the job's log group.",
    });
    grid.newRow();
  }
  for (const job of input.jobs.slice(0, MAX_JOBS_WITH_WIDGETS)) {
    grid.add(12, 6, "log", {
      title: `${job.name}: recent lines (${job.queue})`,
      region,
      view: "table",
      query: logsQuery([job.logGroup], "fields @timestamp, level, event, message, job_id, @logStream | sort @timestamp desc | limit 50"),
    });
    grid.add(12, 6, "log", {
      title: `${job.name}: run duration in seconds (job_metrics lines)`,
      region,
      view: "timeSeries",
      query: logsQuery([job.logGroup], 'filter event = "job_metrics" | fields Duration / 1000 as seconds | stats max(seconds) as longest, avg(seconds) as average by bin(1d)'),
    });
  }
  grid.newRow();

  if (input.deadLetterQueue !== undefined) {
    grid.add(12, 6, "metric", {
      title: "Schedule dead-letter queue: messages waiting",
      region,
      view: "timeSeries",
      stat: "Maximum",
      period: 300,
      metrics: [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", input.deadLetterQueue, { stat: "Maximum", label: "visible" }]],
    });
  }

  return { start: "-P7D", periodOverride: "inherit", widgets: grid.widgets };
}
