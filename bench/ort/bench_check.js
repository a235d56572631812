#!/usr/bin/env node
// bench_check.js --onnxscope PATH --ort DIR [--runs N=10] MODEL...
//
// How long `onnxscope check MODEL -t X.Y` takes (the whole process: load,
// inference, the support table, output) against what it predicts:
// onnxruntime-node creating an InferenceSession for the same model (CPU,
// default options), the release of the install in DIR (bench/ort/install.sh).
// Each runs N times in the same run, alternating. The session is timed two
// ways: created inside this process after one warm-up (onnxruntime already
// loaded: the runtime's own work), and as a fresh `node` process that loads
// onnxruntime-node and creates it (what finding out by trying costs, like
// running onnxscope). Prints a Markdown table of medians and the ratios
// (docs/performance.md).
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");
const { parseArgs, positiveInt } = require("./run_probes");
const { resolvePackage } = require("./session_child");

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main() {
  const argv = process.argv.slice(2);
  const models = [];
  const flags = [];
  for (let k = 0; k < argv.length; k++) {
    if (argv[k].startsWith("--")) flags.push(argv[k], argv[++k]);
    else models.push(argv[k]);
  }
  const opts = parseArgs(flags, ["onnxscope", "ort", "runs"]);
  if (!opts.onnxscope || !opts.ort || !models.length) {
    console.error("usage: bench_check.js --onnxscope PATH --ort DIR [--runs N] MODEL...");
    process.exit(2);
  }
  const runs = positiveInt(opts.runs, "runs", 10);
  const pkg = resolvePackage(opts.ort);
  const ort = require(pkg.dir);
  const target = pkg.version.split(".").slice(0, 2).join(".");
  console.log(`onnxruntime-node ${pkg.version}, onnxscope check -t ${target}, ${runs} runs each, medians\n`);
  console.log("| model | onnxscope check (process) | session creation (in process) | node + onnxruntime-node + session (process) | process ratio | check verdict | session |");
  console.log("| --- | ---: | ---: | ---: | ---: | --- | --- |");
  const script = "require(process.argv[1]).InferenceSession.create(process.argv[2]).then(() => process.exit(0), () => process.exit(1))";
  for (const model of models) {
    const check = [], session = [], fresh = [];
    let verdict = "", created = "";
    try { await ort.InferenceSession.create(model); } catch (e) { /* warm-up; the outcome is taken below */ }
    for (let r = 0; r < runs; r++) {
      let t = process.hrtime.bigint();
      const c = spawnSync(opts.onnxscope, ["check", model, "-t", target, "--format", "json"], { encoding: "utf8", maxBuffer: 1 << 30 });
      check.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (c.status > 1) throw new Error(`onnxscope check ${model}: exit ${c.status}: ${c.stderr}`);
      verdict = JSON.parse(c.stdout).verdict;
      t = process.hrtime.bigint();
      try {
        const s = await ort.InferenceSession.create(model);
        created = "created";
        if (s.release) await s.release();
      } catch (e) {
        created = "failed: " + String(e.message || e).split("\n")[0].slice(0, 60);
      }
      session.push(Number(process.hrtime.bigint() - t) / 1e6);
      t = process.hrtime.bigint();
      spawnSync(process.execPath, ["-e", script, pkg.dir, model], { encoding: "utf8" });
      fresh.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    const a = median(check), b = median(session), f = median(fresh);
    console.log(`| ${path.basename(model)} | ${a.toFixed(1)} ms | ${b.toFixed(1)} ms | ${f.toFixed(1)} ms | ${(f / a).toFixed(1)}x | ${verdict} | ${created} |`);
  }
}

main().catch((e) => { console.error(`bench_check: ${e.message || e}`); process.exit(1); });
