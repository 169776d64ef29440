#include "incident/table.hpp"

#include <algorithm>

#include "incident/incident.hpp"

namespace tr::incident {

std::size_t text_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Table::render(bool colour) const {
  std::vector<std::size_t> width(headers.size(), 0);
  for (std::size_t i = 0; i < headers.size(); ++i) width[i] = text_width(headers[i]);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], text_width(r[i]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size() && i < width.size(); ++i) {
      out += cells[i];
      if (i + 1 < cells.size()) out += std::string(width[i] - text_width(cells[i]) + 2, ' ');
    }
    return out;
  };
  std::string out = colour ? "\033[1m" + line(headers) + "\033[0m\n" : line(headers) + "\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::string text = line(rows[r]);
    if (colour && r < colours.size() && !colours[r].empty())
      out += "\033[" + colours[r] + "m" + text + "\033[0m\n";
    else
      out += text + "\n";
  }
  return out;
}

std::string to_csv(const std::vector<std::string>& headers,
                   const std::vector<std::vector<std::string>>& rows) {
  auto line = [](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) out.push_back(',');
      out += csv_field(cells[i]);
    }
    return out + "\n";
  };
  std::string out = line(headers);
  for (const auto& r : rows) out += line(r);
  return out;
}

}  // namespace tr::incident
