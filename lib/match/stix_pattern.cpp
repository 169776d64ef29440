// STIX 2.1 patterning, the subset of integrations.md D1: observation expressions joined by OR
// (each yields independent indicators), comparisons joined by OR, and AND only between
// comparisons on the same object where one of them decides (a hash, or dst_ref.value next to
// dst_ref.type). Operators: =, IN (...), ISSUBSET (for networks). Everything else (!=, <, LIKE,
// MATCHES, NOT, EXISTS, FOLLOWEDBY, AND between observations, qualifiers) is reported as
// unsupported, never approximated.
#include <cctype>
#include <string>
#include <vector>

#include "match/ioc_load.hpp"

namespace tr::match {
namespace {

struct Tok {
  enum K { Word, Str, Num, LBr, RBr, LPar, RPar, Op, Comma, End } k;
  std::string text;
};

struct Lexer {
  std::string_view s;
  std::size_t i = 0;
  std::string error;

  Tok next() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size()) return {Tok::End, ""};
    char c = s[i];
    if (c == '[') return ++i, Tok{Tok::LBr, "["};
    if (c == ']') return ++i, Tok{Tok::RBr, "]"};
    if (c == '(') return ++i, Tok{Tok::LPar, "("};
    if (c == ')') return ++i, Tok{Tok::RPar, ")"};
    if (c == ',') return ++i, Tok{Tok::Comma, ","};
    if (c == '\'') {
      std::string out;
      ++i;
      while (i < s.size() && s[i] != '\'') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        out += s[i++];
      }
      if (i >= s.size()) {
        error = "unterminated string";
        return {Tok::End, ""};
      }
      ++i;
      return {Tok::Str, out};
    }
    if (c == '=' || c == '!' || c == '<' || c == '>') {
      std::string op(1, c);
      ++i;
      if (i < s.size() && s[i] == '=') op += s[i++];
      return {Tok::Op, op};
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
      std::size_t b = i++;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      return {Tok::Num, std::string(s.substr(b, i - b))};
    }
    // Words: keywords and object paths (ipv4-addr:value, file:hashes.'SHA-256', values[*].name).
    std::size_t b = i;
    while (i < s.size()) {
      char d = s[i];
      if (d == '\'') {  // quoted path component
        ++i;
        while (i < s.size() && s[i] != '\'') ++i;
        if (i < s.size()) ++i;
        continue;
      }
      if (std::isalnum(static_cast<unsigned char>(d)) || d == '-' || d == '_' || d == ':' ||
          d == '.' || d == '*' || (d == '[' && i > b) || (d == ']' && i > b && s[i - 1] == '*'))
        ++i;
      else
        break;
    }
    if (i == b) {
      error = std::string("unexpected character '") + c + "'";
      ++i;
      return {Tok::End, ""};
    }
    return {Tok::Word, std::string(s.substr(b, i - b))};
  }
};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct Comparison {
  std::string object, path;  // "file", "hashes.'SHA-256'"
  std::string op;
  std::vector<std::string> values;
};

struct Parser {
  Lexer lx;
  Tok cur;
  StixResult res;

  void adv() { cur = lx.next(); }
  bool fail(const std::string& m) {
    if (res.error.empty()) res.error = lx.error.empty() ? m : lx.error;
    return false;
  }
  bool unsupported(const std::string& m) {
    if (res.unsupported.empty()) res.unsupported = m;
    return false;
  }

  // pattern := obs (OR obs)*
  bool pattern() {
    if (!observation()) return false;
    while (cur.k == Tok::Word) {
      std::string w = upper(cur.text);
      if (w == "OR") {
        adv();
        if (!observation()) return false;
      } else if (w == "AND" || w == "FOLLOWEDBY") {
        return unsupported(w + " between observations");
      } else if (w == "WITHIN" || w == "REPEATS" || w == "START") {
        return unsupported("qualifier " + w);
      } else {
        return fail("unexpected \"" + cur.text + "\"");
      }
    }
    return true;
  }

  bool observation() {
    if (cur.k == Tok::LPar) {
      adv();
      if (!pattern()) return false;
      if (cur.k != Tok::RPar) return fail("missing ')'");
      adv();
      return true;
    }
    if (cur.k != Tok::LBr) return fail("expected '['");
    adv();
    if (!or_expr()) return false;
    if (cur.k != Tok::RBr) return fail("missing ']'");
    adv();
    return true;
  }

  // or_expr := and_expr (OR and_expr)*
  bool or_expr() {
    if (!and_expr()) return false;
    while (cur.k == Tok::Word && upper(cur.text) == "OR") {
      adv();
      if (!and_expr()) return false;
    }
    return true;
  }

  bool and_expr() {
    std::vector<Comparison> group;
    if (cur.k == Tok::LPar) {
      adv();
      if (!or_expr()) return false;
      if (cur.k != Tok::RPar) return fail("missing ')'");
      adv();
      if (cur.k == Tok::Word && upper(cur.text) == "AND")
        return unsupported("AND with a parenthesised expression");
      return true;
    }
    Comparison c;
    if (!comparison(c)) return false;
    group.push_back(c);
    while (cur.k == Tok::Word && upper(cur.text) == "AND") {
      adv();
      Comparison d;
      if (!comparison(d)) return false;
      group.push_back(d);
    }
    return conjunction(group);
  }

  bool comparison(Comparison& c) {
    if (cur.k != Tok::Word) return fail("expected an object path");
    if (upper(cur.text) == "NOT") return unsupported("NOT");
    auto colon = cur.text.find(':');
    if (colon == std::string::npos) return fail("object path without ':' (\"" + cur.text + "\")");
    c.object = cur.text.substr(0, colon);
    c.path = cur.text.substr(colon + 1);
    adv();
    if (cur.k == Tok::Op) {
      c.op = cur.text;
      adv();
    } else if (cur.k == Tok::Word) {
      c.op = upper(cur.text);
      adv();
      if (c.op == "NOT") return unsupported("NOT");
    } else {
      return fail("expected an operator");
    }
    if (c.op == "IN") {
      if (cur.k != Tok::LPar) return fail("expected '(' after IN");
      adv();
      while (cur.k == Tok::Str || cur.k == Tok::Num) {
        c.values.push_back(cur.text);
        adv();
        if (cur.k == Tok::Comma) adv();
      }
      if (cur.k != Tok::RPar) return fail("missing ')' after IN list");
      adv();
    } else if (c.op == "EXISTS") {
      return unsupported("EXISTS");
    } else {
      if (cur.k == Tok::Word && (cur.text == "t" || cur.text == "b" || cur.text == "h")) {
        return unsupported("typed literal");
      }
      if (cur.k != Tok::Str && cur.k != Tok::Num) return fail("expected a literal");
      c.values.push_back(cur.text);
      adv();
    }
    return true;
  }

  // The indicator type a comparison names, or "" when not one we match on.
  static std::optional<Type> target(const Comparison& c) {
    std::string p = c.path;
    std::string o = c.object;
    if ((o == "ipv4-addr" || o == "ipv6-addr") && p == "value") return Type::Ip;
    if (o == "domain-name" && p == "value") return Type::Domain;
    if (o == "url" && p == "value") return Type::Url;
    if (o == "email-addr" && p == "value") return Type::Email;
    if (o == "email-message" && (p == "from_ref.value" || p == "sender_ref.value")) return Type::Email;
    if (o == "file" && p == "name") return Type::Filename;
    if (o == "file" && p.rfind("hashes.", 0) == 0) {
      std::string h = upper(p.substr(7));
      if (h.size() > 1 && h.front() == '\'') h = h.substr(1, h.size() - 2);
      if (h == "MD5") return Type::Md5;
      if (h == "SHA-1" || h == "SHA1") return Type::Sha1;
      if (h == "SHA-256" || h == "SHA256") return Type::Sha256;
      if (h == "SHA-512" || h == "SHA512") return Type::Sha512;
      return std::nullopt;
    }
    if (o == "file" && p == "parent_directory_ref.path") return std::nullopt;
    if (o == "directory" && p == "path") return Type::Path;
    if (o == "windows-registry-key" && p == "key") return Type::Registry;
    if (o == "mutex" && p == "name") return Type::Mutex;
    if (o == "process" && p == "command_line") return Type::Process;
    if (o == "process" && p == "name") return Type::Filename;
    if (o == "network-traffic" && (p == "dst_ref.value" || p == "src_ref.value")) return Type::Ip;
    return std::nullopt;
  }

  bool emit(const Comparison& c, Type t) {
    if (c.op != "=" && c.op != "IN" && !(c.op == "ISSUBSET" && t == Type::Ip))
      return unsupported("operator " + c.op + " on " + c.object + ":" + c.path);
    for (const auto& v : c.values) {
      Type tt = t;
      if (t == Type::Ip && v.find('/') != std::string::npos) tt = Type::Cidr;
      if (t == Type::Ip && c.object == "network-traffic" && !guess_type(v).has_value()) tt = Type::Ip;
      if (t == Type::Ip && c.object == "network-traffic") {
        auto g = guess_type(v);
        if (g && *g == Type::Domain) tt = Type::Domain;
      }
      res.terms.push_back({tt, v});
    }
    return true;
  }

  bool conjunction(const std::vector<Comparison>& g) {
    if (g.size() == 1) {
      auto t = target(g[0]);
      if (!t) return unsupported("property " + g[0].object + ":" + g[0].path);
      return emit(g[0], *t);
    }
    // AND on one object: a hash decides for a file; dst_ref.value decides next to dst_ref.type.
    for (const auto& c : g)
      if (c.object != g[0].object) return unsupported("AND across different objects");
    const Comparison* decider = nullptr;
    for (const auto& c : g) {
      auto t = target(c);
      if (!t) continue;
      bool hash = *t == Type::Md5 || *t == Type::Sha1 || *t == Type::Sha256 || *t == Type::Sha512;
      if (hash || (c.object == "network-traffic" && *t == Type::Ip)) {
        decider = &c;
        break;
      }
    }
    if (!decider) return unsupported("AND of comparisons without a hash or address");
    for (const auto& c : g) {
      if (&c == decider) continue;
      bool informational = c.object == "network-traffic" && c.path.size() > 5 &&
                           c.path.substr(c.path.size() - 5) == ".type";
      bool file_detail = c.object == "file";
      if (!informational && !file_detail) return unsupported("AND with " + c.object + ":" + c.path);
    }
    return emit(*decider, *target(*decider));
  }
};

}  // namespace

StixResult parse_stix_pattern(std::string_view pattern) {
  Parser p;
  p.lx.s = pattern;
  p.adv();
  bool ok = p.pattern();
  if (ok && p.cur.k != Tok::End) ok = p.fail("unexpected \"" + p.cur.text + "\" after the pattern");
  if (!p.lx.error.empty() && p.res.error.empty()) p.res.error = p.lx.error;
  if (!p.res.error.empty() || !p.res.unsupported.empty()) p.res.terms.clear();
  return p.res;
}

}  // namespace tr::match
