// A small RFC 4180 CSV reader for the directory and asset exports and for CSV feeds
// (URLhaus): quoted fields with doubled quotes, commas and line breaks inside quotes.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace tr::intel {

// Splits one CSV record. `line` must be a whole record (quoted line breaks included).
std::vector<std::string> split_csv(std::string_view line, char sep = ',');

// Reads a whole CSV file into records with their starting line numbers. Throws UsageError
// when the file cannot be read.
struct CsvRow {
  std::size_t line = 0;
  std::vector<std::string> fields;
};
std::vector<CsvRow> read_csv_file(const std::string& path, char sep = ',');

// Reads a whole file. Throws UsageError naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace tr::intel
