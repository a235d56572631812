'use strict';
// Mirrors the layout of the real package: dist/binding.js exports
// `binding.InferenceSession`, the class whose loadModel creates the session.
const fs = require('fs');

class InferenceSession {
  loadModel(file) {
    const directive = fs.readFileSync(file, 'utf8').trim();
    const [word, ...rest] = directive.split(' ');
    const arg = rest.join(' ');
    switch (word) {
      case 'ok': return;
      case 'throw': throw new Error(arg.replace(/\\n/g, '\n'));
      case 'abort': fs.writeSync(2, 'fake: aborting\n'); process.abort(); break;
      case 'segv': fs.writeSync(2, 'fake: segfault\n'); process.kill(process.pid, 'SIGSEGV'); break;
      case 'exit': process.exit(Number(arg)); break;
      case 'hang': for (;;) { /* never returns */ }
      case 'stderr': fs.writeSync(2, arg + '\n'); return;
      case 'jsmeta': this.failMetadata = arg; return;
      // Crashes the first time only (the marker file remembers it).
      case 'flaky':
        if (!fs.existsSync(arg)) { fs.writeFileSync(arg, ''); process.exit(1); }
        return;
      default: throw new Error(`fake onnxruntime: unknown directive '${directive}'`);
    }
  }
}
exports.binding = { InferenceSession };
