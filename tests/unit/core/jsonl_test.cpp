#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "jsonl/line_reader.hpp"
#include "jsonl/writer.hpp"

using tr::jsonl::Line;
using tr::jsonl::LineReader;

namespace {

// Feeds `data` through a pipe (a writer thread is not needed for small inputs).
std::vector<Line> read_all(const std::string& data, std::size_t max_line,
                           std::vector<std::string>* texts) {
  char path[] = "/tmp/tr-jsonl-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
  lseek(fd, 0, SEEK_SET);
  LineReader r(fd, "t.jsonl", max_line);
  std::vector<Line> out;
  Line l;
  while (r.next(l)) {
    out.push_back(l);
    texts->emplace_back(l.text);
  }
  close(fd);
  unlink(path);
  return out;
}

}  // namespace

TEST_CASE("lines, CRLF, blank lines and a last line without newline", "[jsonl]") {
  std::vector<std::string> t;
  auto lines = read_all("a\r\n\nb\nc", tr::jsonl::kDefaultMaxLine, &t);
  REQUIRE(lines.size() == 4);
  CHECK(t == std::vector<std::string>{"a", "", "b", "c"});
  CHECK(lines[3].number == 4);
}

TEST_CASE("an over-long line is skipped whole and reported, the next one survives", "[jsonl]") {
  std::vector<std::string> t;
  std::string big(3 << 20, 'x');  // 3 MiB, bigger than several read blocks
  auto lines = read_all("first\n" + big + "\nlast\n", 1 << 20, &t);
  REQUIRE(lines.size() == 3);
  CHECK(t[0] == "first");
  CHECK(lines[1].too_long);
  CHECK(lines[1].length == big.size());
  CHECK(lines[1].number == 2);
  CHECK(t[2] == "last");
  CHECK(lines[2].number == 3);
}

TEST_CASE("a long line within the limit spanning blocks is kept whole", "[jsonl]") {
  std::vector<std::string> t;
  std::string big(700000, 'y');
  auto lines = read_all(big + "\nz\n", 1 << 20, &t);
  REQUIRE(lines.size() == 2);
  CHECK(t[0] == big);
  CHECK(t[1] == "z");
}

TEST_CASE("opening a missing file is a usage error", "[jsonl]") {
  CHECK_THROWS_AS(LineReader::open("/nonexistent/x.json"), tr::UsageError);
}

TEST_CASE("writer: a closed pipe is PipeClosed, not an error", "[jsonl]") {
  signal(SIGPIPE, SIG_IGN);
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  close(fds[0]);
  tr::jsonl::Writer w(fds[1]);
  w.line("{}");
  CHECK_THROWS_AS(w.flush(), tr::jsonl::PipeClosed);
  close(fds[1]);
}

TEST_CASE("writer: a full device is an external error", "[jsonl]") {
  int fd = open("/dev/full", O_WRONLY);
  if (fd < 0) return;  // not every container has /dev/full
  tr::jsonl::Writer w(fd);
  w.line("{}");
  CHECK_THROWS_AS(w.flush(), tr::ExternalError);
  close(fd);
}
