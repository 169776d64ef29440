// modules:
// Record::parse and JsonOut: whatever the input, a parsed record re-serialises to valid JSON
// with the same content; JsonOut always writes valid JSON, and keeps valid UTF-8 text intact.
#include <cstdint>
#include <string>

#include <simdjson.h>

#include "check.hpp"
#include "core/error.hpp"
#include "record/json_out.hpp"
#include "record/record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  try {
    tr::Record r = tr::Record::parse(in);
    TR_FUZZ_CHECK(r.text() == in);
    tr::set_path(r.edit(), "tr.fuzz", 1);
    tr::Record again = tr::Record::parse(r.text());
    TR_FUZZ_CHECK(again.doc()["tr"]["fuzz"] == 1);
  } catch (const tr::RecordError&) {
  }
  tr::JsonOut w;
  w.begin_object().field("s", in).end_object();
  tr::Record written = tr::Record::parse(w.str());  // throws (and so fails) if invalid
  std::string back = written.doc()["s"].get<std::string>();
  if (simdjson::validate_utf8(in.data(), in.size())) TR_FUZZ_CHECK(back == in);
  return 0;
}
