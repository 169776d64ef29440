// Mapping files: a YAML description of a product's events that tr-ingest reads like one of its
// built-in formats, so a new product needs a file, not a parser (tr-ingest(1), "MAPPING
// FILES", has the full format and an example; examples/ingest/acme-ids.yaml is a tested one).
//
// A mapping reads either JSON (one object per line, pretty-printed documents, arrays, or the
// array at `records:` inside a document) addressed by field paths ("src.addr", "answers.0"),
// or text lines matched by an RE2 `regex:` whose named groups are the fields. It fills the
// same Alert the built-in parsers fill, so ids, observables, roles, related.* and the record
// shape come from the one writer (alert.hpp).
//
// Everything is checked when the file is loaded: unknown keys, unknown schema fields, bad
// paths, regexes that do not compile, groups the regex does not have, observable types and
// roles, severity and classification maps. Each error is a UsageError naming file:line.
// At run time a value that does not fit its field (an address that is not an IP address, a
// severity outside the map) rejects the event with the field and the path it came from.
#pragma once
#include <simdjson.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/alert.hpp"

namespace re2 {
class RE2;
}

namespace tr::ingest {

class Mapping {
 public:
  ~Mapping();
  // Loads and checks a mapping file; throws UsageError("FILE:LINE: reason").
  static std::shared_ptr<const Mapping> load_file(const std::string& path);
  // The same from YAML text; `file` names it in messages.
  static std::shared_ptr<const Mapping> load_string(const std::string& yaml,
                                                    const std::string& file);

  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  const std::string& file() const { return file_; }
  bool is_regex() const { return regex_ != nullptr; }
  // True when auto-detection may pick this mapping (a JSON mapping with `match:`, or any
  // regex mapping); other mappings are used only with --format NAME.
  bool detectable() const { return is_regex() || !match_.empty(); }

  // JSON: whether a document satisfies `match:` (false without `match:`).
  bool matches(simdjson::dom::element doc) const;
  // JSON: maps one document (its events: the document itself, or each element of the array
  // at `records:`). Each alert is passed to `emit` after `a` was filled; events that `skip:`
  // names are left out. `raw` is the document's text (the id of events without `id:`).
  // Returns how many events were skipped. Throws RecordError for an event it cannot map.
  std::size_t map_json(simdjson::dom::element doc, std::string_view raw, Alert& a,
                       const std::function<void(Alert&)>& emit) const;
  // Regex: false when the line does not match the regex (nothing is filled). Otherwise
  // fills `a` and sets `alert` (false when `skip:` names the event).
  bool map_line(std::string_view line, Alert& a, bool& alert) const;

  // A field path into a JSON event (segments; a number also indexes an array) or, for a
  // regex mapping, a named group (its index).
  struct Path {
    std::string text;  // as written, for messages
    std::vector<std::string> segments;
    int group = -1;
  };
  // Where one value comes from: the first present of `paths`, or the constant; then `map`
  // (case-insensitive), then `fallback` when absent or not in the map.
  struct Rule {
    std::string target;  // schema field (fields:), observable type (observables:), label key
    int kind = 0;        // the target's kind (mapping.cpp)
    std::string role;    // observables: the role
    std::vector<Path> paths;
    bool has_constant = false, has_fallback = false;
    std::string constant, fallback, time_format;
    std::vector<std::pair<std::string, std::string>> map;  // lower-case key -> value
  };
  // A condition of `match:` / `skip:`: the value at `path` is one of `values` (compared as
  // text), or the field is present / absent.
  struct Condition {
    Path path;
    enum { OneOf, Present, Absent } test = OneOf;
    std::vector<std::string> values;
  };
  class View;  // where values are read from (a JSON event or a regex match)

 private:
  Mapping();
  void fill(const View& v, std::string_view raw, Alert& a) const;
  bool holds(const View& v, const std::vector<Condition>& conds) const;

  std::string file_, name_, description_;
  std::unique_ptr<re2::RE2> regex_;
  std::vector<Condition> match_, skip_;
  std::vector<std::string> records_;  // path segments; empty: the document is the event
  std::vector<Path> id_;
  std::vector<std::string> null_values_;
  std::vector<Rule> fields_;
  std::vector<Rule> observables_;
  std::vector<std::pair<std::string, Rule>> labels_;
};

// Loads every file; names must differ from each other and from the built-in formats.
std::vector<std::shared_ptr<const Mapping>> load_mappings(const std::vector<std::string>& files);

}  // namespace tr::ingest
