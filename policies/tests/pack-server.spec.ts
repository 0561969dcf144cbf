/**
 * End-to-end check of the pack as the Pulumi CLI runs it: starts `index.ts` under the Node.js policy host of
 * `@pulumi/pulumi` (ts-node with type-checking, policies/tsconfig.json), then calls its analyzer over gRPC the way
 * the engine does during `pulumi preview`. Slow (the host type-checks the pack: ~30-40 s, ~700 MB), so it runs only
 * with POLICY_PACK_SERVER=1:
 *
 *   POLICY_PACK_SERVER=1 npx mocha policies/tests/pack-server.spec.ts
 */
import { ChildProcess, spawn } from "child_process";
import * as assert from "assert";
import { createRequire } from "module";
import * as path from "path";
import { jobDefinition } from "./fixtures";
import { UNKNOWN } from "./harness";

const PACK_DIR = path.join(__dirname, "..");
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));

interface Diagnostic {
  getPolicyname(): string;
  getEnforcementlevel(): number;
  getMessage(): string;
}

type Call = (req: unknown, cb: (err: Error | null, resp: { getDiagnosticsList(): Diagnostic[] }) => void) => void;

/* eslint-disable @typescript-eslint/no-explicit-any */
const grpc: any = pulumiRequire("@grpc/grpc-js");
const analyzerproto: any = pulumiRequire("./proto/analyzer_pb");
const analyzerrpc: any = pulumiRequire("./proto/analyzer_grpc_pb");
const structproto: any = pulumiRequire("google-protobuf/google/protobuf/struct_pb");
/* eslint-enable @typescript-eslint/no-explicit-any */

function resource(kind: "AnalyzeRequest" | "AnalyzerResource", type: string, name: string, props: Record<string, unknown>): unknown {
  const r = new analyzerproto[kind]();
  r.setType(type);
  r.setName(name);
  r.setUrn(`urn:pulumi:dev::batch::${type}::${name}`);
  r.setProperties(structproto.Struct.fromJavaScript(props));
  r.setOptions(new analyzerproto.AnalyzerResourceOptions());
  return r;
}

function call(fn: Call, req: unknown): Promise<string[]> {
  return new Promise((resolve, reject) =>
    fn(req, (err, resp) => (err ? reject(err) : resolve(resp.getDiagnosticsList().map((d) => `${d.getPolicyname()}: ${d.getMessage()}`)))),
  );
}

describe("the pack under the Pulumi policy host (POLICY_PACK_SERVER=1)", function () {
  this.timeout(180_000);
  let child: ChildProcess | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let client: any;

  before(async function () {
    if (process.env.POLICY_PACK_SERVER !== "1") this.skip();
    const host = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run-policy-pack");
    const proc = spawn(process.execPath, [host, "127.0.0.1:1", "."], { cwd: PACK_DIR, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    let stderr = "";
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      proc.stdout.on("data", (d: Buffer) => {
        const line = d.toString().trim();
        if (/^\d+$/.test(line)) resolve(line);
      });
      proc.on("exit", (code) => reject(new Error(`policy host exited with ${code}: ${stderr}`)));
    });
    client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    child?.kill();
  });

  it("reports violations of a job definition", async () => {
    const props = jobDefinition({ container: { image: "python:latest", user: "root" } });
    const diagnostics = await call(client.analyze.bind(client), resource("AnalyzeRequest", "aws:batch/jobDefinition:JobDefinition", "jd", props));
    const policies = diagnostics.map((d) => d.split(":")[0]).sort();
    assert.deepStrictEqual(policies, ["job-container-non-root-user", "job-image-allowed-registry", "job-image-version-tag"]);
  });

  it("says nothing about values unknown during preview", async () => {
    const props = jobDefinition({ props: { containerProperties: UNKNOWN, timeout: UNKNOWN, retryStrategy: { attempts: UNKNOWN, evaluateOnExits: UNKNOWN } } });
    assert.deepStrictEqual(await call(client.analyze.bind(client), resource("AnalyzeRequest", "aws:batch/jobDefinition:JobDefinition", "jd", props)), []);
  });

  it("runs the stack policies", async () => {
    const req = new analyzerproto.AnalyzeStackRequest();
    req.setResourcesList([resource("AnalyzerResource", "aws:ecr/repository:Repository", "repo", { name: "etl", tags: {} })]);
    const diagnostics = await call(client.analyzeStack.bind(client), req);
    assert.deepStrictEqual(diagnostics.map((d) => d.split(":")[0]).sort(), ["ecr-lifecycle-policy", "required-tags"]);
  });
});
