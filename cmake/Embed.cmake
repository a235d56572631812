# onnxscope_embed_text(TEXT_FILE CC_FILE NAMESPACE VARIABLE)
#
# Writes CC_FILE defining `extern const std::string_view NAMESPACE::VARIABLE`
# as one raw string literal holding TEXT_FILE. The file is read while
# configuring; an edited text makes the next build configure again, and the
# source is rewritten only when its text changes.
function(onnxscope_embed_text text_file cc_file namespace variable)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${text_file})
  file(READ ${text_file} text)
  set(delimiter "onnxscope_embed")  # a raw string ends at )onnxscope_embed"
  string(FIND "${text}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${text_file} contains \")${delimiter}\"\", which would end the embedded string early")
  endif()
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${text_file})
  file(WRITE ${cc_file}.new
    "// Generated from ${rel} while configuring; do not edit.\n"
    "#include <string_view>\n"
    "namespace ${namespace} {\n"
    "extern const std::string_view ${variable};\n"
    "const std::string_view ${variable} = R\"${delimiter}(${text})${delimiter}\";\n"
    "}  // namespace ${namespace}\n")
  configure_file(${cc_file}.new ${cc_file} COPYONLY)
  file(REMOVE ${cc_file}.new)
endfunction()
