#include "record/json_out.hpp"

#include <cmath>
#include <cstdio>

namespace tr {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid.
std::size_t utf8_seq(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0, run = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      ++run;
      continue;
    }
    out.append(s.data() + i - run, run);
    run = 0;
    if (c >= 0x80) {
      std::size_t n = utf8_seq(s, i);
      if (n == 0) {
        out.append("\xEF\xBF\xBD");  // U+FFFD
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        out.append("\\u00");
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
    ++i;
  }
  out.append(s.data() + i - run, run);
  out.push_back('"');
}

void JsonOut::sep() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!need_comma_.empty()) {
    if (need_comma_.back()) out_.push_back(',');
    need_comma_.back() = true;
  }
}

JsonOut& JsonOut::begin_object() {
  sep();
  out_.push_back('{');
  need_comma_.push_back(false);
  return *this;
}
JsonOut& JsonOut::end_object() {
  out_.push_back('}');
  need_comma_.pop_back();
  return *this;
}
JsonOut& JsonOut::begin_array() {
  sep();
  out_.push_back('[');
  need_comma_.push_back(false);
  return *this;
}
JsonOut& JsonOut::end_array() {
  out_.push_back(']');
  need_comma_.pop_back();
  return *this;
}
JsonOut& JsonOut::key(std::string_view k) {
  sep();
  append_json_string(out_, k);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}
JsonOut& JsonOut::value(std::string_view s) {
  sep();
  append_json_string(out_, s);
  return *this;
}
JsonOut& JsonOut::value(int64_t n) {
  sep();
  char b[24];
  int len = std::snprintf(b, sizeof b, "%lld", static_cast<long long>(n));
  out_.append(b, len);
  return *this;
}
JsonOut& JsonOut::value(uint64_t n) {
  sep();
  char b[24];
  int len = std::snprintf(b, sizeof b, "%llu", static_cast<unsigned long long>(n));
  out_.append(b, len);
  return *this;
}
JsonOut& JsonOut::value(double d) {
  sep();
  if (!std::isfinite(d)) {
    out_.append("null");
    return *this;
  }
  char b[32];
  int len = std::snprintf(b, sizeof b, "%.17g", d);
  // Shortest form that round-trips is nicer for humans; try fewer digits first.
  for (int prec = 6; prec < 17; ++prec) {
    char t[32];
    int l = std::snprintf(t, sizeof t, "%.*g", prec, d);
    if (std::strtod(t, nullptr) == d) {
      out_.append(t, l);
      return *this;
    }
  }
  out_.append(b, len);
  return *this;
}
JsonOut& JsonOut::value(bool v) {
  sep();
  out_.append(v ? "true" : "false");
  return *this;
}
JsonOut& JsonOut::null() {
  sep();
  out_.append("null");
  return *this;
}
JsonOut& JsonOut::raw(std::string_view json) {
  sep();
  out_.append(json);
  return *this;
}

}  // namespace tr
