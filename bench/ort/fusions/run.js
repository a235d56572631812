// fusions/run.js: creates a session for every fusion probe (make_probes.py)
// at each graph optimization level in one onnxruntime-node release and
// prints one line per probe and level, the lines of share/ort/fusions.txt:
//
//   fusion RELEASE PROBE LEVEL OUTCOME [: MESSAGE]
//
// PROBE is the file name without .onnx, with its first '_' as ':' and a
// second as '>' ("layernorm-cast_float64_float32" is
// "layernorm-cast:float64>float32"); OUTCOME is classify.js's word; in
// MESSAGE the probe's node name is folded to {mul}.
//
// usage: node fusions/run.js ORT_DIR PROBE_DIR
'use strict';

const fs = require('fs');
const path = require('path');
const { classify, foldMessage } = require('../classify');
const { resolvePackage } = require('../session_child');

const LEVELS = ['disabled', 'basic', 'extended', 'all'];

function probeName(file) {
  const parts = path.basename(file, '.onnx').split('_');
  return parts.length === 3 ? `${parts[0]}:${parts[1]}>${parts[2]}` : `${parts[0]}:${parts[1]}`;
}

async function main() {
  const [ortDir, probeDir] = process.argv.slice(2);
  if (!ortDir || !probeDir) throw new Error('usage: node fusions/run.js ORT_DIR PROBE_DIR');
  const pkg = resolvePackage(ortDir);
  const ort = require(pkg.dir);
  const files = fs.readdirSync(probeDir).filter((f) => f.endsWith('.onnx')).sort();
  for (const f of files) {
    const file = path.join(probeDir, f);
    for (const level of LEVELS) {
      let line = `fusion ${pkg.version} ${probeName(f)} ${level} `;
      try {
        const s = await ort.InferenceSession.create(file, { graphOptimizationLevel: level, logSeverityLevel: 4 });
        if (typeof s.release === 'function') await s.release();
        line += 'ok';
      } catch (e) {
        const raw = e && e.message !== undefined ? e.message : String(e);
        line += `${classify(raw)} : ${foldMessage(raw, { absPath: file, relPath: f })}`;
      }
      process.stdout.write(line + '\n');
    }
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(2);
});
