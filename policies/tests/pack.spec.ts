import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { allPolicies, policyNames } from "../all";
import { PolicyConfigFile } from "../evaluate";
import { entryLevel, validateAgainstSchema } from "../lib/config";

const PACK_DIR = path.join(__dirname, "..");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "tests" ? [] : sources(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

describe("the policy pack", () => {
  it("has at least 15 policies with unique kebab-case names", () => {
    assert.ok(allPolicies.length >= 15, `${allPolicies.length} policies`);
    assert.strictEqual(new Set(policyNames).size, policyNames.length);
    for (const name of policyNames) {
      assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.notStrictEqual(name, "all");
    }
  });

  it("describes each policy and gives it a default level", () => {
    for (const p of allPolicies) {
      assert.ok(p.description.length >= 60, `${p.name}: description too short`);
      assert.ok(p.enforcementLevel === "advisory" || p.enforcementLevel === "mandatory", `${p.name}: ${p.enforcementLevel}`);
    }
  });

  it("declares config schemas the engine accepts, with documented, valid defaults", () => {
    for (const p of allPolicies) {
      const props = p.configSchema?.properties ?? {};
      assert.ok(!("enforcementLevel" in props), p.name);
      for (const [key, schema] of Object.entries(props)) {
        assert.ok(schema.description, `${p.name}.${key} has no description`);
        assert.ok(schema.default !== undefined, `${p.name}.${key} has no default`);
        assert.deepStrictEqual(validateAgainstSchema(schema.default, schema, `${p.name}.${key}`), []);
      }
    }
  });

  it("types every resource validation, so the engine can skip other resource types quickly", () => {
    for (const p of allPolicies as ResourceValidationPolicy[]) {
      if (p.validateResource === undefined) continue;
      const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
      for (const v of validations) assert.match(String((v as { __pulumiType?: string }).__pulumiType), /^aws:/, p.name);
    }
  });

  it("constructs the PolicyPack only in index.ts", () => {
    const constructing = sources(PACK_DIR).filter((f) => fs.readFileSync(f, "utf8").includes("new PolicyPack("));
    assert.deepStrictEqual(constructing.map((f) => path.relative(PACK_DIR, f)), ["index.ts"]);
  });

  it("has a PulumiPolicy.yaml for the nodejs runtime", () => {
    const yaml = fs.readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8");
    assert.match(yaml, /^runtime: nodejs$/m);
    assert.match(yaml, /^description: .+/m);
  });

  it("documents every policy in the README with its dev and prod levels", () => {
    const readme = fs.readFileSync(path.join(PACK_DIR, "README.md"), "utf8");
    const load = (stack: string) => JSON.parse(fs.readFileSync(path.join(PACK_DIR, "config", `${stack}.json`), "utf8")) as PolicyConfigFile;
    const dev = load("dev");
    const prod = load("prod");
    for (const p of allPolicies) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${p.name}\``));
      assert.ok(row, `README has no row for ${p.name}`);
      const cells = row.split("|").map((c) => c.trim());
      assert.strictEqual(cells[2], p.enforcementLevel, `${p.name}: default level in README`);
      assert.strictEqual(cells[3], entryLevel(dev[p.name]), `${p.name}: dev level in README`);
      assert.strictEqual(cells[4], entryLevel(prod[p.name]), `${p.name}: prod level in README`);
    }
  });
});
