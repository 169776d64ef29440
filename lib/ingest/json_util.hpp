// Small helpers over simdjson's DOM for the JSON parsers of tr-ingest (EVE, TAP, FireEye,
// Splunk): typed reads that turn a wrong type into a RecordError naming the field, so a
// record with `"src_port":"abc"` is rejected with a reason instead of mapped wrongly.
#pragma once
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace tr::ingest::json {

using simdjson::dom::element;

// The object or array behind an element (empty when it is not one). Named values, not
// simdjson_result temporaries, so range-for over them is safe (and GCC 12 agrees).
inline simdjson::dom::object object_of(element e) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return {};
  return o;
}
inline simdjson::dom::array array_of(element e) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) return {};
  return a;
}

// A string member, "" when absent or null. Throws RecordError("<name> is not a string").
std::string_view str(element e, std::string_view name);
// Any scalar as text: strings as they are, numbers in decimal, booleans; "" when absent/null.
// (Vendors send numbers as strings and strings as numbers; this reads both.)
std::string scalar(element e, std::string_view name);
// An integer member (also accepted as a decimal string), -1 when absent/null.
// Throws RecordError("<name> is not an integer").
int64_t integer(element e, std::string_view name);

// Appends each string of an array, or the one string, member to `out`.
template <class Out>
void strings(element e, std::string_view name, Out& out) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) {
    out.emplace_back(s);
  } else if (e.is_array()) {
    simdjson::dom::array arr = array_of(e);
    for (element x : arr)
      if (x.get_string().get(s) == simdjson::SUCCESS) out.emplace_back(s);
  } else if (!e.is_null()) {
    throw RecordError(std::string(name) + " is not a string or a list of strings");
  }
}

// Member lookup that tolerates a non-object parent.
inline bool member(element obj, std::string_view key, element& out) {
  simdjson::dom::object o;
  if (obj.get_object().get(o) != simdjson::SUCCESS) return false;
  return o.at_key(key).get(out) == simdjson::SUCCESS;
}

}  // namespace tr::ingest::json
