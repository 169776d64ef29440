// Hostile text (issue 9, tests/fixtures/hostile/values.jsonl): what canonical() refuses, and
// what cli::term_safe makes of text on its way to the analyst's terminal.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "cli/tool.hpp"
#include "schema/observable.hpp"

using tr::cli::term_safe;

TEST_CASE("term_safe escapes bytes that are not UTF-8", "[schema]") {
  // A lone 0x9b is CSI to a terminal in an 8-bit locale; 0xff and a cut sequence are not text.
  CHECK(term_safe("a\x9b" "31mb") == "a\\x9b31mb");
  CHECK(term_safe("evil\xff.example") == "evil\\xff.example");
  CHECK(term_safe("caf\xc3") == "caf\\xc3");
  CHECK(term_safe("\xc0\xaf") == "\\xc0\\xaf");          // overlong '/'
  CHECK(term_safe("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
  CHECK(term_safe("caf\xc3\xa9") == "caf\xc3\xa9");       // valid text is left alone
  CHECK(term_safe("\xf0\x9f\x98\x80") == "\xf0\x9f\x98\x80");
}

TEST_CASE("term_safe escapes C1 and every bidi control", "[schema]") {
  CHECK(term_safe("\xc2\x9b" "31m") == "\\u{009b}31m");
  CHECK(term_safe("a\xd8\x9c" "b") == "a\\u{061c}b");     // ARABIC LETTER MARK
  CHECK(term_safe("a\xe2\x80\xae" "b") == "a\\u{202e}b");
  CHECK(term_safe("a\xe2\x81\xa6" "b\xe2\x81\xa9") == "a\\u{2066}b\\u{2069}");
  CHECK(term_safe("\x1b]0;title\x07") == "\\x1b]0;title\\x07");
}

TEST_CASE("term_safe cuts long text on a character boundary", "[schema]") {
  CHECK(term_safe("\xc3\xa9\xc3\xa9\xc3\xa9", 2) == "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
  CHECK(term_safe(std::string(300, 'a')).size() == 200 + 3);
}

TEST_CASE("every hostile value is either refused or canonical and printable", "[schema]") {
  std::ifstream in(std::string(TR_SOURCE_DIR) + "/tests/fixtures/hostile/values.jsonl");
  REQUIRE(in);
  std::string line;
  int n = 0;
  for (; std::getline(in, line); ++n) {
    // Values are JSON strings; the raw line holds them escaped, which is hostile enough for
    // the types below and keeps this test free of a JSON parser.
    for (const char* type : {"ip", "cidr", "domain", "url", "email", "host", "user", "md5"}) {
      auto v = tr::canonical(type, line);
      if (!v) continue;
      for (unsigned char c : *v) CHECK((c >= 0x20 && c != 0x7f));
      CHECK(term_safe(*v, 100000).find("\\u{") == std::string::npos);
    }
  }
  CHECK(n > 40);
}

TEST_CASE("a control byte that reaches a diagnostic unescaped is shown as \\xNN", "[schema]") {
  // The last line of defence behind term_safe: Context's stderr writer.
  char path[] = "/tmp/tr-stderr-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  int saved = dup(2);
  REQUIRE(dup2(fd, 2) == 2);
  {
    tr::cli::Context ctx("tr-test");
    ctx.error("bad value \x1b[2J\x1b]0;owned\x07 at\tline\r1");
  }
  dup2(saved, 2);
  close(saved);
  close(fd);
  std::ifstream in(path);
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  unlink(path);
  CHECK(got == "tr-test: bad value \\x1b[2J\\x1b]0;owned\\x07 at\tline\\x0d1\n");
}
