// isolate.js: the parent side of the harness. Runs session creations in
// child processes (`node run_probes.js --child`) so that a release that
// crashes, aborts or hangs on one model costs that model only.
//
// Tasks are cut into batches in their given order; `jobs` workers take the
// next batch from a shared queue and run it in one child. When the child dies
// or stops answering, the task it was working on is recorded as 'crash' and a
// new child takes the rest of the batch. Results are returned indexed like the
// tasks, so the order of the output never depends on scheduling.
'use strict';

const { spawn } = require('child_process');
const path = require('path');
const { foldMessage } = require('./classify');

const CHILD_SCRIPT = path.join(__dirname, 'run_probes.js');
const STDERR_KEEP = 4000;
const READY_TIMEOUT_MS = 120000;

function tail(text, n) {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\x1b\[[0-9;]*m/g, '').trim();
  return clean.length > n ? '...' + clean.slice(clean.length - n) : clean;
}

// What a crashing task printed: its first lines usually say why (a C++
// "terminate called after throwing ... what(): ..."), its last lines where
// (a backtrace), so both ends are kept when it is long.
function ends(text, n) {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\x1b\[[0-9;]*m/g, '')
    // onnxruntime's log lines start with a wall-clock time stamp; without it
    // a crash message is the same on every run.
    .replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ /gm, '')
    .trim();
  if (clean.length <= n) return clean;
  const head = Math.floor(n * 0.4);
  return clean.slice(0, head) + ' ... ' + clean.slice(clean.length - (n - head));
}

// Runs `tasks` (each {i, file, rel}) in one child until all are done or the
// child stops; onResult(i, {outcome, message}) is called as results arrive.
// Resolves {done: Set(i), death} where death is null when the child finished
// everything, else {task, outcome, message} for the task it died on.
function runChild(ortDir, tasks, timeoutMs, onResult) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD_SCRIPT, '--child', '--ort', ortDir], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const done = new Set();
    let ready = false;
    let stdoutBuf = '';
    let stderrAll = '';
    let stderrSinceMarker = '';
    let timer = null;
    let timedOut = false;
    let settled = false;

    const arm = (ms) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, ms);
    };
    arm(READY_TIMEOUT_MS);

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdoutBuf += chunk;
      let nl;
      while ((nl = stdoutBuf.indexOf('\n')) >= 0) {
        const line = stdoutBuf.slice(0, nl);
        stdoutBuf = stdoutBuf.slice(nl + 1);
        if (!line.trim()) continue;
        let msg;
        try { msg = JSON.parse(line); } catch { continue; /* stray output of the runtime */ }
        if (msg.ready) { ready = true; arm(timeoutMs); continue; }
        if (typeof msg.i === 'number') {
          done.add(msg.i);
          onResult(msg.i, { outcome: msg.outcome, message: msg.message });
          arm(timeoutMs);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderrAll = (stderrAll + chunk).slice(-STDERR_KEEP);
      stderrSinceMarker += chunk;
      const m = stderrSinceMarker.lastIndexOf('@@onnxscope-task ');
      if (m >= 0) {
        const eol = stderrSinceMarker.indexOf('\n', m);
        stderrSinceMarker = eol >= 0 ? stderrSinceMarker.slice(eol + 1) : '';
      }
      stderrSinceMarker = stderrSinceMarker.slice(-STDERR_KEEP);
    });
    child.stdin.on('error', () => { /* child died before reading everything */ });
    child.stdin.end(tasks.map((t) => JSON.stringify({ i: t.i, file: t.file, rel: t.rel })).join('\n') + '\n');

    child.on('error', (e) => { if (!settled) { settled = true; clearTimeout(timer); reject(e); } });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const pending = tasks.filter((t) => !done.has(t.i));
      if (!ready) {
        reject(new Error(`onnxruntime-node in ${ortDir} did not load in a child process ` +
          `(${signal ? 'signal ' + signal : 'exit code ' + code}${timedOut ? ', timed out' : ''}): ${tail(stderrAll, 2000)}`));
        return;
      }
      if (pending.length === 0) {
        if (code !== 0 || signal) {
          process.stderr.write(`warning: child exited with ${signal || code} after finishing its batch: ${tail(stderrAll, 300)}\n`);
        }
        resolve({ done, death: null });
        return;
      }
      let how;
      if (timedOut) how = `timeout: no result after ${timeoutMs} ms, child killed`;
      else if (signal) how = `child killed by signal ${signal}`;
      else how = `child exited with code ${code}`;
      const err = ends(stderrSinceMarker, 800);
      resolve({
        done,
        death: { task: pending[0], outcome: 'crash', message: foldMessage(err ? `${how}; stderr: ${err}` : how) },
      });
    });
  });
}

// Runs all tasks; returns an array of {outcome, message} in task order.
// opts: {ortDir, batch, timeoutMs, jobs, label, onProgress}
async function runIsolated(tasks, opts) {
  const { ortDir, batch = 250, timeoutMs = 30000, jobs = 2 } = opts;
  const label = opts.label || 'ort';
  const results = new Array(tasks.length);
  const indexed = tasks.map((t, i) => ({ ...t, i }));
  const queue = [];
  for (let s = 0; s < indexed.length; s += batch) queue.push(indexed.slice(s, s + batch));

  const start = Date.now();
  let finished = 0;
  const counts = {};
  let lastReport = 0;
  const report = (force) => {
    const now = Date.now();
    if (!force && now - lastReport < 2000) return;
    lastReport = now;
    const secs = (now - start) / 1000;
    const rate = finished / Math.max(secs, 1e-3);
    const eta = rate > 0 ? Math.round((tasks.length - finished) / rate) : 0;
    const summary = Object.entries(counts).sort().map(([k, v]) => `${k}=${v}`).join(' ');
    process.stderr.write(`[${label}] ${finished}/${tasks.length} ${rate.toFixed(1)}/s eta ${eta}s ${summary}\n`);
  };
  const record = (i, r) => {
    results[i] = r;
    finished++;
    counts[r.outcome] = (counts[r.outcome] || 0) + 1;
    report(false);
  };

  async function worker() {
    for (;;) {
      const b = queue.shift();
      if (!b) return;
      let pending = b;
      while (pending.length) {
        const { death } = await runChild(ortDir, pending, timeoutMs, record);
        if (death) {
          record(death.task.i, { outcome: death.outcome, message: death.message });
          process.stderr.write(`[${label}] crash on ${death.task.id || death.task.rel}: ${death.message.slice(0, 200)}\n`);
        }
        pending = pending.filter((t) => results[t.i] === undefined);
      }
    }
  }
  const n = Math.max(1, Math.min(jobs, queue.length));
  await Promise.all(Array.from({ length: n }, worker));
  report(true);
  return { results, seconds: (Date.now() - start) / 1000 };
}

module.exports = { runIsolated };
