'use strict';
// InferenceSession.create(path) like the real package: the session handler is
// built from binding.InferenceSession (looked up at call time), then the
// wrapper describes inputs/outputs ('jsmeta' makes that step throw, as
// onnxruntime-node >= 1.22 does for bfloat16).
const b = require('./binding');

class InferenceSession {
  static async create(file) {
    const native = new b.binding.InferenceSession();
    native.loadModel(file, {});
    if (native.failMetadata) throw new Error(native.failMetadata);
    return new InferenceSession();
  }
  async release() {}
}
exports.InferenceSession = InferenceSession;
