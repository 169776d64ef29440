#include "config/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "core/error.hpp"
#include "time/time.hpp"

namespace tr {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

bool file_exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::string expand_home(const std::string& path) {
  if (path == "~" || path.rfind("~/", 0) == 0) return env_or("HOME", "") + path.substr(1);
  return path;
}

std::string data_dir() {
  return env_or("XDG_DATA_HOME", expand_home("~/.local/share")) + "/tr";
}

std::string config_dir() { return env_or("XDG_CONFIG_HOME", expand_home("~/.config")) + "/tr"; }

Config Config::load(const std::string& flag) {
  if (!flag.empty()) return from_file(flag);
  if (const char* env = std::getenv("TR_CONFIG"); env && *env) return from_file(env);
  std::string dflt = config_dir() + "/config.yaml";
  if (file_exists(dflt)) return from_file(dflt);
  return Config();
}

namespace {

// Reads a whole file through one descriptor, so the mode checked is the mode of what was read.
bool read_file(const std::string& path, std::string& text, mode_t& mode) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool ok = ::fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode);
  mode = st.st_mode;
  char buf[65536];
  while (ok) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) ok = false;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return ok;
}

std::string group_or_others_message(const std::string& file) {
  return file + " is readable by group or others; run 'chmod 600 " + file + "'";
}

}  // namespace

Config Config::from_file(const std::string& path) {
  std::string text;
  mode_t mode = 0;
  if (!read_file(path, text, mode)) throw UsageError(path + ": cannot read configuration file");
  Config c = from_string(text, path);
  c.owner_only_ = (mode & 077) == 0;
  return c;
}

Config Config::from_string(const std::string& yaml, const std::string& name) {
  Config c;
  c.path_ = name;
  try {
    c.root_ = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw UsageError(name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (c.root_.IsNull()) c.root_ = YAML::Node(YAML::NodeType::Map);
  if (!c.root_.IsMap()) throw UsageError(name + ":1: the configuration must be a mapping");
  return c;
}

YAML::Node Config::node(const std::string& dotted) const {
  // yaml-cpp's operator[] on a non-const node inserts; work on const copies.
  YAML::Node cur;
  cur.reset(root_);
  std::size_t start = 0;
  while (start <= dotted.size()) {
    auto dot = dotted.find('.', start);
    std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos
                                                                     : dot - start);
    if (!cur.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node& ccur = cur;
    YAML::Node next = ccur[part];
    if (!next) return YAML::Node(YAML::NodeType::Undefined);
    cur.reset(next);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

bool Config::has(const std::string& dotted) const {
  YAML::Node n = node(dotted);
  return n.IsDefined() && !n.IsNull();
}

std::string Config::where(const YAML::Node& n) const {
  std::string p = path_.empty() ? "<config>" : path_;
  if (n.Mark().line >= 0) return p + ":" + std::to_string(n.Mark().line + 1) + ": ";
  return p + ": ";
}

std::string Config::get_string(const std::string& dotted, const std::string& fallback) const {
  YAML::Node n = node(dotted);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  if (!n.IsScalar()) throw UsageError(where(n) + dotted + ": expected a single value");
  return n.Scalar();
}

int64_t Config::get_int(const std::string& dotted, int64_t fallback) const {
  YAML::Node n = node(dotted);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  try {
    return n.as<int64_t>();
  } catch (const YAML::Exception&) {
    throw UsageError(where(n) + dotted + ": expected an integer, got \"" +
                     (n.IsScalar() ? n.Scalar() : std::string("(not a value)")) + "\"");
  }
}

double Config::get_double(const std::string& dotted, double fallback) const {
  YAML::Node n = node(dotted);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  try {
    return n.as<double>();
  } catch (const YAML::Exception&) {
    throw UsageError(where(n) + dotted + ": expected a number");
  }
}

bool Config::get_bool(const std::string& dotted, bool fallback) const {
  YAML::Node n = node(dotted);
  if (!n.IsDefined() || n.IsNull()) return fallback;
  try {
    return n.as<bool>();
  } catch (const YAML::Exception&) {
    throw UsageError(where(n) + dotted + ": expected true or false");
  }
}

int64_t Config::get_duration(const std::string& dotted, int64_t fallback_ms) const {
  YAML::Node n = node(dotted);
  if (!n.IsDefined() || n.IsNull()) return fallback_ms;
  auto d = n.IsScalar() ? time::parse_duration(n.Scalar()) : std::nullopt;
  if (!d) throw UsageError(where(n) + dotted + ": expected a duration such as 24h, 30m or 7d");
  return *d;
}

std::vector<std::string> Config::get_strings(const std::string& dotted) const {
  YAML::Node n = node(dotted);
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) throw UsageError(where(n) + dotted + ": expected a list");
  for (const auto& item : n) {
    if (!item.IsScalar()) throw UsageError(where(item) + dotted + ": expected a list of values");
    out.push_back(item.Scalar());
  }
  return out;
}

std::string Config::get_path(const std::string& dotted, const std::string& fallback) const {
  std::string p = get_string(dotted, "");
  if (p.empty()) return fallback;
  p = expand_home(p);
  if (p[0] != '/' && !path_.empty() && path_[0] != '<') {
    auto slash = path_.rfind('/');
    if (slash != std::string::npos) p = path_.substr(0, slash + 1) + p;
  }
  return p;
}

std::optional<Secret> Config::secret(const std::string& dotted) const {
  YAML::Node n = node(dotted);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (n.IsScalar()) {
    // A literal secret: only in a file no one else can read. The message never holds it.
    if (path_.empty() || path_[0] == '<')
      throw UsageError(where(n) + dotted +
                       ": a secret is written as {env: NAME} or {file: PATH}, or literally in a "
                       "configuration file only its owner can read");
    if (!owner_only_)
      throw UsageError(where(n) + dotted + ": this file holds a secret and " +
                       group_or_others_message(path_) +
                       " (or use {env: NAME} or {file: PATH} for the secret)");
    if (n.Scalar().empty()) throw UsageError(where(n) + dotted + ": the secret is empty");
    return Secret(n.Scalar());
  }
  if (!n.IsMap())
    throw UsageError(where(n) + dotted + ": a secret is {env: NAME}, {file: PATH} or a value");
  const YAML::Node& cn = n;
  if (cn["env"]) {
    std::string var = cn["env"].Scalar();
    const char* v = std::getenv(var.c_str());
    if (!v || !*v) throw UsageError(where(n) + dotted + ": environment variable " + var + " is not set");
    return Secret(v);
  }
  if (cn["file"]) {
    std::string file = expand_home(cn["file"].Scalar());
    std::string text;
    mode_t mode = 0;
    if (!read_file(file, text, mode)) throw UsageError(where(n) + dotted + ": cannot read " + file);
    if (mode & 077) throw UsageError(where(n) + dotted + ": " + group_or_others_message(file));
    std::string value = text.substr(0, text.find('\n'));
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    if (value.empty()) throw UsageError(where(n) + dotted + ": " + file + " is empty");
    return Secret(value);
  }
  throw UsageError(where(n) + dotted + ": a secret needs env: or file:");
}

}  // namespace tr
