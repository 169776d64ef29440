#include "ingest/json_util.hpp"

#include <charconv>

namespace tr::ingest::json {

std::string_view str(element e, std::string_view name) {
  if (e.is_null()) return {};
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS)
    throw RecordError(std::string(name) + " is not a string");
  return s;
}

std::string scalar(element e, std::string_view name) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(e.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64:
      return std::to_string(e.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64:
      return std::to_string(e.get_uint64().value_unsafe());
    case simdjson::dom::element_type::DOUBLE: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, e.get_double().value_unsafe());
      return std::string(buf, r.ptr);
    }
    case simdjson::dom::element_type::BOOL:
      return e.get_bool().value_unsafe() ? "true" : "false";
    case simdjson::dom::element_type::NULL_VALUE:
      return {};
    default:
      throw RecordError(std::string(name) + " is not a scalar value");
  }
}

int64_t integer(element e, std::string_view name) {
  switch (e.type()) {
    case simdjson::dom::element_type::INT64:
      return e.get_int64().value_unsafe();
    case simdjson::dom::element_type::UINT64:
      return INT64_MAX;  // beyond int64: too large for anything we read as an integer
    case simdjson::dom::element_type::NULL_VALUE:
      return -1;
    case simdjson::dom::element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      int64_t v = 0;
      auto r = std::from_chars(s.data(), s.data() + s.size(), v);
      if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return v;
      break;
    }
    default:
      break;
  }
  throw RecordError(std::string(name) + " is not an integer");
}

}  // namespace tr::ingest::json
