import * as assert from "node:assert/strict";
import { checkFargatePair, describeMemoryChoices, fargateMemoryFor, FARGATE_SIZES } from "../lib/fargate";

describe("Fargate sizes", () => {
  it("has AWS's table", () => {
    assert.deepEqual(fargateMemoryFor(0.25), [512, 1024, 2048]);
    assert.equal(fargateMemoryFor(4)!.at(-1), 30720);
    assert.deepEqual(fargateMemoryFor(8)!.slice(0, 2), [16384, 20480]);
    assert.deepEqual(fargateMemoryFor(16)!.slice(0, 2), [32768, 40960]);
    assert.equal(FARGATE_SIZES.length, 7);
  });
  it("accepts valid pairs and explains invalid ones", () => {
    assert.equal(checkFargatePair(2, 4096), undefined);
    assert.equal(checkFargatePair(0.5, 4096), undefined);
    assert.equal(checkFargatePair(2, 2048), "2048 MiB cannot be combined with 2 vCPU on Fargate: use 4096-16384 in steps of 1024 MiB");
    assert.equal(checkFargatePair(0.25, 4096), "4096 MiB cannot be combined with 0.25 vCPU on Fargate: use 512, 1024, 2048 MiB");
    assert.equal(checkFargatePair(32, 65536), "32 vCPU is not a Fargate size: use one of 0.25, 0.5, 1, 2, 4, 8, 16");
  });
  it("summarizes choices", () => assert.equal(describeMemoryChoices([16384, 20480, 24576, 28672]), "16384-28672 in steps of 4096"));
});
