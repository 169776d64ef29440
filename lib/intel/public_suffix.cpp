#include "intel/public_suffix.hpp"

#include <idn2.h>

#include <memory>

#include "core/error.hpp"
#include "intel/csv.hpp"

namespace tr::intel {
namespace {

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// A rule's name in canonical form (lower case, A-labels), or "" when it is not a name.
std::string canonical_rule(std::string_view s) {
  std::string out;
  if (is_ascii(s)) {
    out.assign(s);
  } else {
    // The same mapping as schema's canonical_domain (UTS #46, non-transitional).
    std::string text(s);
    char* a = nullptr;
    if (idn2_lookup_u8(reinterpret_cast<const uint8_t*>(text.c_str()),
                       reinterpret_cast<uint8_t**>(&a), IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) !=
        IDN2_OK)
      return "";
    std::unique_ptr<char, decltype(&idn2_free)> owned(a, &idn2_free);
    out.assign(a);
  }
  std::size_t label = 0;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c == '.') {
      if (label == 0 || label > 63) return "";
      label = 0;
      continue;
    }
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return "";
    ++label;
  }
  if (label == 0 || label > 63 || out.size() > 253) return "";
  return out;
}

std::string_view parent(std::string_view d) {
  auto dot = d.find('.');
  return dot == std::string_view::npos ? std::string_view() : d.substr(dot + 1);
}

}  // namespace

PublicSuffixList PublicSuffixList::parse(std::string_view text) {
  PublicSuffixList psl;
  bool icann = true;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    start = nl + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.starts_with("//")) {
      if (line.find("===BEGIN PRIVATE DOMAINS===") != std::string_view::npos) icann = false;
      if (line.find("===END PRIVATE DOMAINS===") != std::string_view::npos) icann = true;
      continue;
    }
    // A rule ends at the first white space.
    line = line.substr(0, line.find_first_of(" \t\r"));
    if (line.empty()) continue;
    uint8_t kind = kNormal;
    if (line.starts_with("!")) {
      kind = kException;
      line.remove_prefix(1);
    } else if (line.starts_with("*.")) {
      kind = kWildcard;
      line.remove_prefix(2);
    }
    std::string name = canonical_rule(line);
    if (name.empty()) {  // also a '*' anywhere but leftmost: the algorithm has no such rules
      ++psl.skipped_;
      continue;
    }
    psl.rules_[name] |= static_cast<uint8_t>(icann ? kind : kind << 3);
  }
  return psl;
}

PublicSuffixList PublicSuffixList::load(const std::string& path) {
  PublicSuffixList psl = parse(read_file(path));
  if (psl.size() == 0) throw UsageError(path + ": no public suffix rules");
  return psl;
}

uint8_t PublicSuffixList::flags(std::string_view suffix, bool icann_only) const {
  auto it = rules_.find(suffix);
  if (it == rules_.end()) return 0;
  uint8_t icann = it->second & 7, other = static_cast<uint8_t>(it->second >> 3);
  return icann_only ? icann : static_cast<uint8_t>(icann | other);
}

std::string_view PublicSuffixList::public_suffix(std::string_view domain, bool icann_only) const {
  // Every suffix from the whole name down to the last label. The first match met is the
  // longest: at suffix t, a wildcard rule on t matches the longer name one label left of t
  // (`longer`), a normal rule matches t itself. An exception anywhere wins over both.
  std::string_view best, longer;
  for (std::string_view t = domain; !t.empty(); longer = t, t = parent(t)) {
    uint8_t f = flags(t, icann_only);
    if (f & kException) return parent(t);
    if (!best.empty()) continue;
    if ((f & kWildcard) && !longer.empty())
      best = longer;
    else if (f & kNormal)
      best = t;
  }
  if (!best.empty()) return best;
  auto dot = domain.rfind('.');  // the implicit rule "*"
  return dot == std::string_view::npos ? domain : domain.substr(dot + 1);
}

std::optional<std::string_view> PublicSuffixList::registrable(std::string_view domain,
                                                              bool icann_only) const {
  std::string_view suffix = public_suffix(domain, icann_only);
  if (suffix.size() + 1 >= domain.size()) return std::nullopt;
  std::string_view head = domain.substr(0, domain.size() - suffix.size() - 1);
  auto dot = head.rfind('.');
  return domain.substr(dot == std::string_view::npos ? 0 : dot + 1);
}

}  // namespace tr::intel
