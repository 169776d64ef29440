#include "intel/csv.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace tr::intel {

std::vector<std::string> split_csv(std::string_view line, char sep) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    any = true;
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == sep) {
      out.push_back(std::move(field));
      field.clear();
    } else if (c != '\r') {
      field.push_back(c);
    }
  }
  if (any || !out.empty()) out.push_back(std::move(field));
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<CsvRow> read_csv_file(const std::string& path, char sep) {
  std::string text = read_file(path);
  std::vector<CsvRow> rows;
  std::size_t line_no = 1, start = 0, start_line = 1;
  bool quoted = false;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == '\n' && !quoted)) {
      std::string_view rec(text.data() + start, i - start);
      if (!rec.empty() && rec.back() == '\r') rec.remove_suffix(1);
      if (!rec.empty()) rows.push_back({start_line, split_csv(rec, sep)});
      start = i + 1;
      ++line_no;
      start_line = line_no;
      continue;
    }
    if (text[i] == '"') quoted = !quoted;
    if (text[i] == '\n') ++line_no;
  }
  return rows;
}

}  // namespace tr::intel
