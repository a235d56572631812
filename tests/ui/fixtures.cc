#include "tests/ui/fixtures.h"

#include <onnx/onnx_pb.h>

namespace onnxscope::test {

std::string hostile_model() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("\x1b]0;pwned\x07producer");
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("hostile");
  const std::string esc = "\x1b[2J\x1b[31mred\x1b[0m";
  const std::string ctl = std::string("tab\there\rcr\nnl\x7f del \xc2\x9b c1 \xff\xfe bad", 32);  // every byte of the literal, no more
  const std::string wide = "\xe5\xbd\xa2\xe7\x8a\xb6\xe5\xbd\xa2\xe7\x8a\xb6";  // CJK
  const std::string huge(10000, 'N');
  auto* in = g->add_input();
  in->set_name("x" + esc);
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  tt->mutable_shape()->add_dim()->set_dim_param("b" + esc);
  tt->mutable_shape()->add_dim()->set_dim_value(4);
  std::string prev = in->name();
  const std::string names[] = {esc, ctl, wide, huge};
  for (int i = 0; i < 4; ++i) {
    auto* n = g->add_node();
    n->set_op_type("Relu");
    n->set_name(names[i]);
    n->add_input(prev);
    prev = names[i] + "_out" + std::to_string(i);
    n->add_output(prev);
  }
  auto* out = g->add_output();
  out->set_name(prev);
  auto* ot = out->mutable_type()->mutable_tensor_type();
  ot->set_elem_type(onnx::TensorProto::FLOAT);
  std::string bytes;
  m.SerializeToString(&bytes);
  return bytes;
}

}  // namespace onnxscope::test
