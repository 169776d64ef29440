// A small, fast writer of compact JSON, for hot paths that build records field by field
// (tr-ingest, verdicts, incidents) without a DOM.
//
// Strings are escaped per RFC 8259; invalid UTF-8 in input (vendor logs carry any bytes) is
// replaced with U+FFFD so that every line we write is valid UTF-8. The caller is responsible
// for balanced begin/end calls; separators are inserted automatically.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tr {

// Appends `s` to `out` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view s);

class JsonOut {
 public:
  JsonOut() { need_comma_.reserve(16); }
  std::string& str() { return out_; }
  std::string take() { return std::move(out_); }
  void clear() {
    out_.clear();
    need_comma_.clear();
  }

  JsonOut& begin_object();
  JsonOut& end_object();
  JsonOut& begin_array();
  JsonOut& end_array();
  JsonOut& key(std::string_view k);
  JsonOut& value(std::string_view s);
  JsonOut& value(const char* s) { return value(std::string_view(s)); }
  JsonOut& value(const std::string& s) { return value(std::string_view(s)); }
  JsonOut& value(int64_t n);
  JsonOut& value(int n) { return value(static_cast<int64_t>(n)); }
  JsonOut& value(uint64_t n);
  JsonOut& value(double d);
  JsonOut& value(bool b);
  JsonOut& null();
  // Inserts already-serialised JSON as one value.
  JsonOut& raw(std::string_view json);

  // Shorthands: key + value.
  template <class T>
  JsonOut& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  void sep();
  std::string out_;
  std::vector<bool> need_comma_;
  bool after_key_ = false;
};

}  // namespace tr
