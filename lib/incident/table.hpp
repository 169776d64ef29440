// A plain-text table for terminals and a CSV writer, for tr-incident's views.
// Cells are escaped by the caller (cli::term_safe); widths count code points, not bytes.
#pragma once
#include <string>
#include <vector>

namespace tr::incident {

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> colours;  // per row: an ANSI SGR code ("31") or ""
  std::string render(bool colour) const;
};

// RFC 4180 CSV (with formula defusing, see csv_field), one header line then the rows.
std::string to_csv(const std::vector<std::string>& headers,
                   const std::vector<std::vector<std::string>>& rows);

// Display width of UTF-8 text in code points.
std::size_t text_width(const std::string& s);

}  // namespace tr::incident
