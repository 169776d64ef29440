#include "intel/json_patch.hpp"

#include <array>
#include <cstring>

#include "record/json_out.hpp"

namespace tr::intel {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_ws(std::string_view s, std::size_t i) {
  while (i < s.size() && is_ws(s[i])) ++i;
  return i;
}

// s[i] == '"'; returns the index after the closing quote.
std::size_t skip_string(std::string_view s, std::size_t i) {
  const char* base = s.data();
  std::size_t n = s.size();
  ++i;
  for (;;) {
    const void* q = i < n ? std::memchr(base + i, '"', n - i) : nullptr;
    if (!q) return n;
    std::size_t at = static_cast<std::size_t>(static_cast<const char*>(q) - base);
    std::size_t bs = 0;  // an odd number of backslashes before it escapes the quote
    while (at > bs && base[at - 1 - bs] == '\\') ++bs;
    if (bs % 2 == 0) return at + 1;
    i = at + 1;
  }
}

std::size_t skip_value(std::string_view s, std::size_t i) {
  if (i >= s.size()) return i;
  char c = s[i];
  if (c == '"') return skip_string(s, i);
  if (c == '{' || c == '[') {
    // Only quotes and brackets matter inside a container.
    static const auto interesting = [] {
      std::array<bool, 256> t{};
      for (unsigned char x : {'"', '{', '}', '[', ']'}) t[x] = true;
      return t;
    }();
    int depth = 0;
    const char* p = s.data();
    std::size_t n = s.size();
    while (i < n) {
      while (i < n && !interesting[static_cast<unsigned char>(p[i])]) ++i;
      if (i >= n) break;
      char d = p[i];
      if (d == '"') {
        i = skip_string(s, i);
        continue;
      }
      if (d == '{' || d == '[') {
        ++depth;
      } else if (--depth == 0) {
        return i + 1;
      }
      ++i;
    }
    return i;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_ws(s[i])) ++i;
  return i;
}

}  // namespace

void ObjectPatch::set(std::string key, std::string raw) {
  for (auto& m : members_) {
    if (m.key == key) {
      m.raw = std::move(raw);
      m.nested.reset();
      return;
    }
  }
  members_.push_back({std::move(key), std::move(raw), nullptr});
}

ObjectPatch& ObjectPatch::sub(const std::string& key) {
  for (auto& m : members_) {
    if (m.key == key) {
      if (!m.nested) m.nested = std::make_unique<ObjectPatch>();
      return *m.nested;
    }
  }
  members_.push_back({key, "", std::make_unique<ObjectPatch>()});
  return *members_.back().nested;
}

void ObjectPatch::append_new(std::string& out, const Member& m) const {
  append_json_string(out, m.key);
  out.push_back(':');
  if (m.nested) {
    m.nested->apply("{}", out);
  } else {
    out += m.raw;
  }
}

bool ObjectPatch::apply(std::string_view s, std::string& out) const {
  std::size_t i = skip_ws(s, 0);
  if (i >= s.size() || s[i] != '{') return false;
  std::size_t mark = out.size();
  std::vector<bool> used(members_.size(), false);
  out.push_back('{');
  bool first = true;
  ++i;
  for (;;) {
    i = skip_ws(s, i);
    if (i >= s.size()) break;
    if (s[i] == '}') break;
    if (s[i] == ',') {
      ++i;
      continue;
    }
    if (s[i] != '"') {  // not valid JSON after all
      out.resize(mark);
      return false;
    }
    std::size_t key_begin = i;
    std::size_t key_end = skip_string(s, i);
    std::string_view key = s.substr(key_begin + 1, key_end - key_begin - 2);
    i = skip_ws(s, key_end);
    if (i < s.size() && s[i] == ':') ++i;
    i = skip_ws(s, i);
    std::size_t value_begin = i;
    i = skip_value(s, i);
    std::string_view value = s.substr(value_begin, i - value_begin);

    std::size_t hit = members_.size();
    for (std::size_t m = 0; m < members_.size(); ++m) {
      if (members_[m].key == key) {
        hit = m;
        break;
      }
    }
    if (hit < members_.size() && used[hit]) continue;  // a duplicate key: keep one, ours
    if (!first) out.push_back(',');
    first = false;
    out.append(s.substr(key_begin, key_end - key_begin));
    out.push_back(':');
    if (hit == members_.size()) {
      out.append(value);
      continue;
    }
    used[hit] = true;
    const Member& m = members_[hit];
    if (m.nested) {
      if (!m.nested->apply(value, out)) m.nested->apply("{}", out);
    } else {
      out += m.raw;
    }
  }
  for (std::size_t m = 0; m < members_.size(); ++m) {
    if (used[m]) continue;
    if (!first) out.push_back(',');
    first = false;
    append_new(out, members_[m]);
  }
  out.push_back('}');
  return true;
}

}  // namespace tr::intel
