import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { allPolicies, policyNames } from "../all";
import { PolicyConfigFile, validateConfigFile } from "../evaluate";
import { ENFORCEMENT_LEVELS, entryLevel } from "../lib/config";

const CONFIG_DIR = path.join(__dirname, "..", "config");

for (const stack of ["dev", "prod"]) {
  describe(`config/${stack}.json`, () => {
    const config = JSON.parse(fs.readFileSync(path.join(CONFIG_DIR, `${stack}.json`), "utf8")) as PolicyConfigFile;

    it("names only existing policies", () => {
      const unknown = Object.keys(config).filter((k) => k !== "all" && !policyNames.includes(k));
      assert.deepStrictEqual(unknown, []);
    });

    it("uses valid enforcement levels", () => {
      for (const [name, entry] of Object.entries(config)) {
        const level = entryLevel(entry);
        assert.ok(level !== undefined && ENFORCEMENT_LEVELS.includes(level), `${name}: ${JSON.stringify(entry)}`);
      }
    });

    it("gives settings that fit each policy's schema", () => assert.deepStrictEqual(validateConfigFile(config), []));

    it("lists every policy, so the file documents the stack's levels", () => {
      const missing = policyNames.filter((n) => !(n in config));
      assert.deepStrictEqual(missing, []);
    });
  });
}

describe("config/dev.json and config/prod.json", () => {
  const load = (stack: string) => JSON.parse(fs.readFileSync(path.join(CONFIG_DIR, `${stack}.json`), "utf8")) as PolicyConfigFile;
  it("are never looser in prod than in dev", () => {
    const rank = { disabled: 0, advisory: 1, remediate: 2, mandatory: 2 } as const;
    const dev = load("dev");
    const prod = load("prod");
    for (const p of allPolicies) {
      const d = entryLevel(dev[p.name]) ?? p.enforcementLevel ?? "advisory";
      const pr = entryLevel(prod[p.name]) ?? p.enforcementLevel ?? "advisory";
      assert.ok(rank[pr] >= rank[d], `${p.name}: dev ${d}, prod ${pr}`);
    }
  });
});
