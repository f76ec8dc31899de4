// The `rlp` executable (bin/rlp.mjs) loads a plugin whatever its project's module type: in a package that is not
// "type": "module", tsx loads the .ts plugin as CommonJS, which needs tsx's CommonJS hook as well as its ESM one.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { doubleNode, HEADER, INPUTS, pipelineUsing, project, REPO } from "./helpers.ts";

describe("bin/rlp.mjs", () => {
  it.each(["commonjs", "module"] as const)("runs a plugin in a %s package", (type) => {
    const dir = project({ "nodes.ts": HEADER + doubleNode(), "main.rlp": pipelineUsing("double(x)"), "in.json": INPUTS }, type);
    const r = spawnSync(process.execPath, [join(REPO, "bin/rlp.mjs"), "eval", "main.rlp", "--inputs", "in.json", "--grad"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, { data: number[] }>;
    // L = token_mean(2x, mask): 5 positions in the mask.
    expect(out["L"]!.data[0]).toBeCloseTo((2 * (0.5 - 1.0 + 0.1 + 0.3 - 0.7)) / 5, 12);
    expect(out["dL/dx"]!.data).toEqual([0.4, 0.4, 0, 0.4, 0.4, 0.4]);
  });
});
