#!/usr/bin/env node
// summarize.js [DIR]: a Markdown table of the support tables in DIR (default
// share/ort): per release the limits and how many probed (operator version,
// types) combinations each outcome has. docs/support-tables.md shows its output.
"use strict";
const fs = require("fs");
const path = require("path");

const dir = process.argv[2] || path.join(__dirname, "..", "..", "share", "ort");
const outcomes = ["ok", "no-kernel", "type-error", "not-registered", "invalid", "crash", "opset-unsupported", "ir-unsupported"];
const rows = [];
for (const f of fs.readdirSync(dir).filter((f) => /^ort-cpu-\d+\.\d+\.txt$/.test(f))) {
  const r = { release: "", ir: "", opset: {}, counts: Object.fromEntries(outcomes.map((o) => [o, 0])), versions: new Set() };
  for (const line of fs.readFileSync(path.join(dir, f), "utf8").split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const w = line.split(" : ")[0].split(" ");
    if (w[0] === "release") r.release = w[1];
    else if (w[0] === "ir") r.ir = w[1];
    else if (w[0] === "opset") r.opset[w[1]] = w[2];
    else if (w[0] === "op") {
      let n = 1;
      for (const c of w.slice(5)) n *= c.split("=")[1].split("|").length;
      r.counts[w[4]] = (r.counts[w[4]] || 0) + n;
      r.versions.add(`${w[1]} ${w[2]} ${w[3]}`);
    }
  }
  rows.push(r);
}
const key = (v) => v.split(".").map(Number).reduce((a, x) => a * 1000 + x, 0);
rows.sort((a, b) => key(a.release) - key(b.release));
const shown = outcomes.filter((o) => rows.some((r) => r.counts[o] > 0));
console.log(`| release | IR | ai.onnx | ai.onnx.ml | op versions | ${shown.join(" | ")} |`);
console.log(`| --- | ---: | ---: | ---: | ---: | ${shown.map(() => "---:").join(" | ")} |`);
for (const r of rows) {
  console.log(`| ${r.release} | ${r.ir} | ${r.opset["ai.onnx"] || "-"} | ${r.opset["ai.onnx.ml"] || "-"} | ${r.versions.size} | ${shown.map((o) => r.counts[o]).join(" | ")} |`);
}
