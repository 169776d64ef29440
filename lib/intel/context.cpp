#include "intel/context.hpp"

#include <nlohmann/json.hpp>

#include "cli/tool.hpp"
#include "core/error.hpp"
#include "intel/csv.hpp"
#include "schema/observable.hpp"

namespace tr::intel {
namespace {

using Row = std::unordered_map<std::string, std::string>;

// Column names as AD/LDAP/HR exports and CMDBs spell them, mapped to ours.
std::string column(std::string_view header) {
  std::string h = lower_ascii(header);
  std::string k;
  for (char c : h)
    if (c != ' ' && c != '_' && c != '-') k.push_back(c);
  static const std::unordered_map<std::string, std::string> aliases = {
      {"user", "name"},         {"username", "name"},
      {"name", "name"},         {"samaccountname", "name"},
      {"login", "name"},        {"account", "name"},
      {"email", "email"},       {"mail", "email"},
      {"emailaddress", "email"}, {"displayname", "display_name"},
      {"fullname", "display_name"}, {"title", "title"},
      {"jobtitle", "title"},    {"department", "department"},
      {"dept", "department"},   {"groups", "groups"},
      {"memberof", "groups"},   {"manager", "manager"},
      {"vip", "vip"},           {"host", "host"},
      {"hostname", "host"},     {"computername", "host"},
      {"ip", "ips"},            {"ips", "ips"},
      {"ipaddress", "ips"},     {"address", "ips"},
      {"addresses", "ips"},     {"cidr", "ips"},
      {"network", "ips"},       {"owner", "owner"},
      {"businessunit", "business_unit"}, {"bu", "business_unit"},
      {"criticality", "criticality"}, {"role", "role"},
  };
  auto it = aliases.find(k);
  return it == aliases.end() ? k : it->second;
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::size_t b = cur.find_first_not_of(" \t");
    std::size_t e = cur.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (char c : s) {
    if (c == ';' || c == '|' || c == ',' || c == ' ') {
      flush();
    } else {
      cur.push_back(c);
    }
  }
  flush();
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  std::size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool looks_json(const std::string& path, const std::string& text) {
  if (path.size() >= 4 && lower_ascii(path.substr(path.size() - 4)) == ".csv") return false;
  std::size_t i = text.find_first_not_of(" \t\r\n");
  return i != std::string::npos && (text[i] == '[' || text[i] == '{');
}

std::string json_scalar(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  if (v.is_array()) {
    std::string out;
    for (const auto& e : v) {
      if (!out.empty()) out += ";";
      out += json_scalar(e);
    }
    return out;
  }
  return "";
}

// Calls fn(row, line) for each row of a CSV or JSON export.
void each_row(const std::string& path, const std::function<void(const Row&, std::size_t)>& fn) {
  std::string text = read_file(path);
  if (looks_json(path, text)) {
    std::vector<std::pair<nlohmann::json, std::size_t>> items;
    std::size_t i = text.find_first_not_of(" \t\r\n");
    try {
      if (text[i] == '[') {
        auto doc = nlohmann::json::parse(text);
        std::size_t n = 0;
        for (auto& e : doc) items.emplace_back(std::move(e), ++n);
      } else {
        std::size_t line = 0, start = 0;
        while (start <= text.size()) {
          std::size_t nl = text.find('\n', start);
          if (nl == std::string::npos) nl = text.size();
          ++line;
          std::string_view l(text.data() + start, nl - start);
          if (l.find_first_not_of(" \t\r") != std::string_view::npos)
            items.emplace_back(nlohmann::json::parse(l), line);
          start = nl + 1;
        }
      }
    } catch (const nlohmann::json::exception& e) {
      throw UsageError(path + ": not valid JSON: " + e.what());
    }
    for (const auto& [obj, line] : items) {
      if (!obj.is_object()) continue;
      Row row;
      for (auto it = obj.begin(); it != obj.end(); ++it) row[column(it.key())] = json_scalar(*it);
      fn(row, line);
    }
    return;
  }
  auto rows = read_csv_file(path);
  if (rows.empty()) return;
  std::vector<std::string> header;
  for (const auto& h : rows[0].fields) header.push_back(column(trim(h)));
  for (std::size_t r = 1; r < rows.size(); ++r) {
    Row row;
    for (std::size_t c = 0; c < header.size() && c < rows[r].fields.size(); ++c)
      row[header[c]] = trim(rows[r].fields[c]);
    fn(row, rows[r].line);
  }
}

std::string get(const Row& row, const char* key) {
  auto it = row.find(key);
  return it == row.end() ? "" : it->second;
}

// "CORP\jdoe" -> "jdoe".
std::string account_key(std::string_view name) {
  auto bs = name.rfind('\\');
  if (bs != std::string_view::npos) name.remove_prefix(bs + 1);
  return lower_ascii(trim(name));
}

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Lower-cased lookup keys without an allocation per lookup (the hot path of enrichment).
const std::string& scratch_lower(std::string_view s, int slot) {
  thread_local std::string buf[2];
  std::string& b = buf[slot];
  b.assign(s.data(), s.size());
  for (char& c : b)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return b;
}

}  // namespace

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool truthy(std::string_view s) {
  std::string v = lower_ascii(trim(s));
  return v == "true" || v == "yes" || v == "y" || v == "1" || v == "x";
}

void Directory::load(const std::string& path, const Warn& warn) {
  each_row(path, [&](const Row& row, std::size_t line) {
    User u;
    u.name = get(row, "name");
    u.email = get(row, "email");
    if (u.name.empty() && u.email.empty()) {
      warn(path + ":" + std::to_string(line) + ": user without a name or e-mail; row skipped");
      return;
    }
    u.display_name = get(row, "display_name");
    u.title = get(row, "title");
    u.department = get(row, "department");
    u.manager = get(row, "manager");
    // Group names may hold spaces ("Domain Admins"): split on ; | and , only.
    std::string cur;
    for (char c : get(row, "groups") + ";") {
      if (c == ';' || c == '|' || c == ',') {
        if (auto t = trim(cur); !t.empty()) u.groups.push_back(t);
        cur.clear();
      } else {
        cur.push_back(c);
      }
    }
    u.vip = truthy(get(row, "vip"));
    if (!u.email.empty()) {
      auto e = canonical_email(u.email);
      if (!e) {
        warn(path + ":" + std::to_string(line) + ": e-mail address \"" +
             cli::term_safe(u.email) + "\" is not valid; row skipped");
        return;
      }
      u.email = *e;
    }
    add(std::move(u));
  });
}

void Directory::add(User u) {
  std::size_t idx = users_.size();
  if (!u.name.empty()) names_.try_emplace(account_key(u.name), idx);
  if (!u.email.empty()) emails_.try_emplace(lower_ascii(u.email), idx);
  users_.push_back(std::move(u));
}

const User* Directory::by_name(std::string_view name) const {
  auto bs = name.rfind('\\');
  if (bs != std::string_view::npos) name.remove_prefix(bs + 1);
  const std::string& key = scratch_lower(trim_view(name), 0);
  if (key.empty()) return nullptr;
  auto it = names_.find(key);
  if (it != names_.end()) return &users_[it->second];
  if (key.find('@') != std::string::npos) return by_email(key);  // a UPN
  return nullptr;
}

const User* Directory::by_email(std::string_view email) const {
  auto it = emails_.find(scratch_lower(trim_view(email), 1));
  return it == emails_.end() ? nullptr : &users_[it->second];
}

void Assets::load(const std::string& path, const Warn& warn) {
  each_row(path, [&](const Row& row, std::size_t line) {
    Asset a;
    a.host = lower_ascii(get(row, "host"));
    a.owner = get(row, "owner");
    a.business_unit = get(row, "business_unit");
    a.criticality = lower_ascii(get(row, "criticality"));
    a.role = get(row, "role");
    std::string where = path + ":" + std::to_string(line) + ": ";
    for (const auto& ip : split_list(get(row, "ips"))) {
      auto net = canonical_cidr(ip);
      if (!net) {
        warn(where + "\"" + cli::term_safe(ip) + "\" is not an IP address or network; ignored");
        continue;
      }
      // Single addresses are shown without /32.
      auto slash = net->find('/');
      bool host_route = net->substr(slash + 1) == "32" || net->substr(slash + 1) == "128";
      a.ips.push_back(host_route && ip.find('/') == std::string::npos ? net->substr(0, slash)
                                                                       : *net);
    }
    if (a.host.empty() && a.ips.empty()) {
      warn(where + "asset without a host name or address; row skipped");
      return;
    }
    add(std::move(a));
  });
  ips_.freeze();
}

bool Assets::add(Asset a) {
  std::size_t idx = assets_.size();
  bool ok = true;
  for (const auto& ip : a.ips) {
    auto net = parse_network(ip);
    if (!net) {
      ok = false;
      continue;
    }
    ips_.insert(net->first, net->second, idx);
  }
  if (!a.host.empty()) {
    std::string h = lower_ascii(a.host);
    hosts_.try_emplace(h, idx);
    auto dot = h.find('.');
    if (dot != std::string::npos) hosts_.try_emplace(h.substr(0, dot), idx);
  }
  assets_.push_back(std::move(a));
  return ok;
}

const Asset* Assets::by_host(std::string_view host) const {
  const std::string& h = scratch_lower(trim_view(host), 0);
  if (h.empty()) return nullptr;
  auto it = hosts_.find(h);
  if (it == hosts_.end()) {
    auto dot = h.find('.');
    if (dot != std::string::npos) it = hosts_.find(h.substr(0, dot));
  }
  return it == hosts_.end() ? nullptr : &assets_[it->second];
}

const Asset* Assets::by_ip(std::string_view ip, std::string* network) const {
  auto a = IpAddr::parse(ip);
  if (!a) return nullptr;
  if (!ips_.frozen()) ips_.freeze();  // after add() calls (tests); load() freezes once
  int len = 0;
  const std::size_t* idx = ips_.find(*a, &len);
  if (!idx) return nullptr;
  if (network) {
    auto net = parse_network(std::string(ip) + "/" + std::to_string(len));
    *network = net ? net->first.str() + "/" + std::to_string(len) : "";
  }
  return &assets_[*idx];
}

}  // namespace tr::intel
