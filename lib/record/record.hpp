// Record: one JSON object of a stream, with where it came from.
//
// Invariants:
//  - A Record always holds a valid JSON object (validated with simdjson when read).
//  - Pass-through is exact: a record nobody edits is written back byte for byte as it was read
//    (minus a trailing CR), so key order and number spellings survive and diffs against jq
//    stay quiet.
//  - The DOM (nlohmann::ordered_json, which keeps key order) is built only when a tool looks
//    inside with doc() or edit(); edit() marks the record changed so text() re-serialises it.
// Hot paths that only need a few fields should use the simdjson view in their own module
// rather than doc(); see lib/ingest for the pattern.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace tr {

using Json = nlohmann::ordered_json;

// Position of a record in its input, for diagnostics: "eve.json:1412".
struct SourcePos {
  std::string file;
  std::size_t line = 0;
  std::string str() const { return line ? file + ":" + std::to_string(line) : file; }
};

class Record {
 public:
  Record() = default;
  // Parses and validates one line. Throws RecordError("not valid JSON: ...", "not an object").
  static Record parse(std::string_view line, SourcePos pos = {});
  // Wraps a DOM built by a tool. Throws RecordError unless it is an object.
  static Record from_json(Json j, SourcePos pos = {});

  // The "kind" member, or "" when there is none or it is not a string.
  const std::string& kind() const { return kind_; }
  bool is(std::string_view k) const { return kind_ == k; }

  // Read-only view of the DOM (built on first use).
  const Json& doc() const;
  // Mutable DOM; the record will be re-serialised by text().
  Json& edit();
  // Compact JSON text of the record, without a newline.
  std::string text() const;
  const SourcePos& pos() const { return pos_; }
  void set_pos(SourcePos p) { pos_ = std::move(p); }

 private:
  std::string text_;
  mutable std::optional<Json> doc_;
  bool dirty_ = false;
  std::string kind_;
  SourcePos pos_;
};

// Field helpers over a DOM. Paths are dotted ("source.ip"); a missing member or a value of
// another type gives nullptr / the fallback, never an exception.
const Json* find_path(const Json& j, std::string_view dotted);
std::string string_at(const Json& j, std::string_view dotted, std::string_view fallback = "");
int64_t int_at(const Json& j, std::string_view dotted, int64_t fallback = 0);
// Sets a value at a dotted path, creating intermediate objects.
void set_path(Json& j, std::string_view dotted, Json value);

}  // namespace tr
