#include "match/collect.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "record/json_out.hpp"
#include "time/time.hpp"

namespace fs = std::filesystem;

namespace tr::match {
namespace {

bool read_file(const std::string& path, std::string& out, std::size_t limit = 1 << 20) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return true;
}

std::string readlink_str(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  if (n < 0) return "";
  return std::string(buf, static_cast<std::size_t>(n));
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

bool is_pid(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Base64 (RFC 4648) for ssh key blobs and fingerprints.
std::string b64_decode(std::string_view in) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int buf = 0, bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = val(c);
    if (v < 0) return "";
    buf = (buf << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

std::string b64_encode_nopad(std::string_view in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int buf = 0, bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += t[(buf >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += t[(buf << (6 - bits)) & 0x3F];
  return out;
}

std::string hex_to_bytes(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

struct Collector {
  const CollectOptions& opt;
  const std::function<void(const std::string&)>& emit;
  CollectStats stats;
  std::string host, collected;
  std::map<std::pair<dev_t, ino_t>, FileDigests> hash_cache;
  struct Proc {
    std::string name, path;
  };
  std::unordered_map<int, Proc> procs;

  bool want(const char* type) const {
    return opt.only.empty() || std::find(opt.only.begin(), opt.only.end(), type) != opt.only.end();
  }
  std::string under_root(const std::string& p) const { return opt.root + p; }
  // A path as the endpoint names it: without the --root prefix, so that IOCs naming
  // "/usr/lib/x.so" match a mounted image's files too.
  std::string shown(const std::string& p) const {
    if (!opt.root.empty() && p.size() > opt.root.size() && p.compare(0, opt.root.size(), opt.root) == 0 &&
        p[opt.root.size()] == '/')
      return p.substr(opt.root.size());
    return p;
  }

  JsonOut begin(const char* type) {
    JsonOut o;
    o.begin_object().field("kind", "artifact").field("host", host).field("collected", collected);
    o.field("type", type);
    return o;
  }
  void done(JsonOut& o) {
    o.end_object();
    emit(o.str());
    ++stats.records;
  }

  const FileDigests* digests(const std::string& path, int64_t max_size) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
    if (st.st_size > max_size) return nullptr;
    auto key = std::make_pair(st.st_dev, st.st_ino);
    auto it = hash_cache.find(key);
    if (it != hash_cache.end()) return &it->second;
    try {
      return &hash_cache.emplace(key, hash_file(path)).first->second;
    } catch (const Error&) {
      ++stats.unreadable;
      return nullptr;
    }
  }

  void processes() {
    std::error_code ec;
    for (const auto& d : fs::directory_iterator(opt.proc, ec)) {
      std::string pid = d.path().filename();
      if (!is_pid(pid)) continue;
      std::string base = opt.proc + "/" + pid;
      std::string comm, cmdline;
      if (!read_file(base + "/comm", comm)) continue;  // gone
      read_file(base + "/cmdline", cmdline, 64 << 10);
      std::string exe = readlink_str(base + "/exe");
      if (exe.empty() && cmdline.empty()) continue;  // kernel thread, or not ours to read
      while (!cmdline.empty() && cmdline.back() == '\0') cmdline.pop_back();
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      bool on_disk = true;
      const std::string deleted = " (deleted)";
      if (exe.size() > deleted.size() && exe.compare(exe.size() - deleted.size(), deleted.size(), deleted) == 0) {
        exe.resize(exe.size() - deleted.size());
        on_disk = false;
      }
      procs[std::atoi(pid.c_str())] = {trim(comm), exe};
      if (!want("process")) continue;
      JsonOut o = begin("process");
      o.field("pid", static_cast<int64_t>(std::atoll(pid.c_str())));
      o.field("name", trim(comm));
      if (!exe.empty()) o.field("path", exe);
      o.field("cmdline", cmdline);
      if (!exe.empty()) {
        o.field("on_disk", on_disk ? 1 : 0);
        if (const FileDigests* h = digests(base + "/exe", opt.max_size)) {
          o.field("sha256", h->sha256).field("sha1", h->sha1).field("md5", h->md5);
        } else {
          ++stats.unreadable;
        }
      } else {
        ++stats.unreadable;
      }
      done(o);
    }
  }

  void sockets() {
    if (!want("connection") && !want("listening")) return;
    // inode -> pid, from every process's fds we can read.
    std::unordered_map<uint64_t, int> owner;
    std::error_code ec;
    for (const auto& d : fs::directory_iterator(opt.proc, ec)) {
      std::string pid = d.path().filename();
      if (!is_pid(pid)) continue;
      std::error_code ec2;
      for (const auto& fd : fs::directory_iterator(d.path() / "fd", ec2)) {
        std::string l = readlink_str(fd.path());
        if (l.rfind("socket:[", 0) == 0)
          owner.emplace(std::strtoull(l.c_str() + 8, nullptr, 10), std::atoi(pid.c_str()));
      }
      if (ec2) ++stats.unreadable;
      if (!procs.count(std::atoi(pid.c_str()))) {
        std::string comm;
        read_file(d.path() / "comm", comm);
        procs[std::atoi(pid.c_str())] = {trim(comm), readlink_str(d.path() / "exe")};
      }
    }
    static const char* states[] = {"",          "ESTABLISHED", "SYN_SENT", "SYN_RECV",
                                   "FIN_WAIT1", "FIN_WAIT2",   "TIME_WAIT", "CLOSE",
                                   "CLOSE_WAIT", "LAST_ACK",   "LISTEN",   "CLOSING"};
    for (const char* table : {"tcp", "tcp6", "udp", "udp6"}) {
      std::string text;
      if (!read_file(opt.proc + "/net/" + table, text, 64 << 20)) continue;
      bool v6 = std::strchr(table, '6') != nullptr;
      bool tcp = table[0] == 't';
      std::istringstream in(text);
      std::string line;
      std::getline(in, line);  // header
      while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string sl, local, remote, st, txrx, tr, retr, uid, timeout, inode;
        if (!(f >> sl >> local >> remote >> st >> txrx >> tr >> retr >> uid >> timeout >> inode))
          continue;
        std::string la, ra;
        int lp, rp;
        if (!parse_proc_addr(local, v6, la, lp) || !parse_proc_addr(remote, v6, ra, rp)) continue;
        int state = static_cast<int>(std::strtol(st.c_str(), nullptr, 16));
        bool unconnected = rp == 0 && (ra == "0.0.0.0" || ra == "::");
        bool listening = tcp ? state == 10 : unconnected;
        if (tcp && state == 10 && !want("listening")) continue;
        if (listening ? !want("listening") : !want("connection")) continue;
        if (!listening && unconnected) continue;
        JsonOut o = begin(listening ? "listening" : "connection");
        o.field("protocol", tcp ? "tcp" : "udp");
        o.field("family", v6 ? 10 : 2);
        if (listening) {
          o.field("address", la).field("port", lp);
        } else {
          o.field("local_address", la).field("local_port", lp);
          o.field("remote_address", ra).field("remote_port", rp);
        }
        if (tcp && state > 0 && state < 12) o.field("state", states[state]);
        auto ow = owner.find(std::strtoull(inode.c_str(), nullptr, 10));
        if (ow != owner.end()) {
          o.field("pid", ow->second);
          auto p = procs.find(ow->second);
          if (p != procs.end()) {
            if (!p->second.name.empty()) o.field("name", p->second.name);
            if (!p->second.path.empty()) o.field("path", p->second.path);
          }
        }
        done(o);
      }
    }
  }

  void files() {
    if (!want("file")) return;
    std::vector<std::string> roots = opt.paths;
    if (roots.empty()) roots = {"/tmp", "/var/tmp", "/dev/shm", "/etc", "/usr/local/bin", "/root"};
    for (auto& r : roots) r = under_root(r);
    int64_t cutoff = time::now() - opt.since_ms;
    for (const auto& r : roots) {
      std::error_code ec;
      if (!fs::exists(r, ec)) continue;
      auto it = fs::recursive_directory_iterator(r, fs::directory_options::skip_permission_denied, ec);
      if (ec) {
        ++stats.unreadable;
        continue;
      }
      for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(ec)) {
        if (ec) {
          ++stats.unreadable;
          ec.clear();
          continue;
        }
        std::error_code e2;
        if (!it->is_regular_file(e2) || it->is_symlink(e2)) continue;
        struct stat st;
        std::string p = it->path().string();
        if (::lstat(p.c_str(), &st) != 0) continue;
        int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
        if (mtime < cutoff) continue;
        JsonOut o = begin("file");
        o.field("path", shown(p));
        o.field("filename", it->path().filename().string());
        o.field("size", static_cast<int64_t>(st.st_size));
        o.field("mtime", static_cast<int64_t>(st.st_mtim.tv_sec));
        if (const FileDigests* h = digests(p, opt.max_size))
          o.field("sha256", h->sha256).field("sha1", h->sha1).field("md5", h->md5);
        done(o);
      }
    }
  }

  std::vector<std::string> homes() {
    std::set<std::string> out;
    std::string pw;
    if (read_file(under_root("/etc/passwd"), pw, 4 << 20)) {
      std::istringstream in(pw);
      std::string line;
      while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        std::string x;
        while (std::getline(ss, x, ':')) f.push_back(x);
        if (f.size() >= 6 && !f[5].empty() && f[5] != "/" && f[5] != "/nonexistent")
          out.insert(under_root(f[5]));
      }
    }
    std::error_code ec;
    for (const auto& d : fs::directory_iterator(under_root("/home"), ec)) out.insert(d.path());
    out.insert(under_root("/root"));
    std::vector<std::string> v;
    for (const auto& h : out)
      if (fs::is_directory(h, ec)) v.push_back(h);
    return v;
  }

  static std::string program_of(const std::string& command) {
    std::istringstream in(command);
    std::string first;
    in >> first;
    while (!first.empty() && (first.front() == '-' || first.front() == '@' || first.front() == '!' ||
                              first.front() == '+'))
      first.erase(0, 1);
    return !first.empty() && first.front() == '/' ? first : "";
  }

  void persistence_entry(const char* source, const std::string& path, const std::string& name,
                         const std::string& command, bool hash_file_too) {
    JsonOut o = begin("persistence");
    o.field("source", source).field("path", shown(path)).field("name", name);
    if (!command.empty()) {
      o.field("command", command);
      std::string prog = program_of(command);
      if (!prog.empty()) o.field("program", prog);
    }
    if (hash_file_too)
      if (const FileDigests* h = digests(path, opt.max_size)) o.field("sha256", h->sha256);
    done(o);
  }

  void cron_file(const std::string& path, bool with_user) {
    std::string text;
    if (!read_file(path, text)) {
      ++stats.unreadable;
      return;
    }
    std::istringstream in(text);
    std::string line;
    std::string name = fs::path(path).filename();
    while (std::getline(in, line)) {
      std::string t = trim(line);
      if (t.empty() || t[0] == '#') continue;
      std::istringstream f(t);
      std::vector<std::string> w;
      std::string x;
      while (f >> x) w.push_back(x);
      if (w.empty()) continue;
      if (w[0].find('=') != std::string::npos && w[0][0] != '@') continue;  // VAR=value
      std::size_t skip = w[0][0] == '@' ? 1 : 5;
      if (with_user) ++skip;
      if (w.size() <= skip) continue;
      // The command is the rest of the line after the schedule (and user) fields.
      std::size_t pos = 0;
      for (std::size_t i = 0; i < skip; ++i) {
        pos = t.find_first_not_of(" \t", pos);
        pos = t.find_first_of(" \t", pos);
      }
      persistence_entry("cron", path, name, trim(t.substr(pos)), false);
    }
  }

  // A unit file: its ExecStart command (the first), and for timers the schedule and the unit
  // they start.
  void systemd_unit(const fs::path& path, const std::string& name) {
    std::string text;
    if (!read_file(path, text)) {
      ++stats.unreadable;
      return;
    }
    std::istringstream in(text);
    std::string line, command, schedule, unit;
    while (std::getline(in, line)) {
      std::string t = trim(line);
      auto value = [&](const char* key) -> std::string {
        std::size_t n = std::strlen(key);
        if (t.size() <= n || t.compare(0, n, key) != 0) return "";
        return trim(std::string_view(t).substr(n));
      };
      std::string v;
      if (command.empty() && !(v = value("ExecStart=")).empty()) command = v;
      else if (schedule.empty() && !(v = value("OnCalendar=")).empty()) schedule = v;
      else if (unit.empty() && !(v = value("Unit=")).empty()) unit = v;
    }
    JsonOut o = begin("persistence");
    o.field("source", "systemd").field("path", shown(path)).field("name", name);
    if (!command.empty()) {
      o.field("command", command);
      std::string prog = program_of(command);
      if (!prog.empty()) o.field("program", prog);
    }
    if (!schedule.empty()) o.field("schedule", schedule);
    if (!unit.empty()) o.field("unit", unit);
    if (const FileDigests* h = digests(path, opt.max_size)) o.field("sha256", h->sha256);
    done(o);
  }

  // /etc/ld.so.preload: every library it names is loaded into every dynamically linked
  // program, a favourite of user-land rootkits. One record per library, hashed.
  void ld_so_preload() {
    std::string file = under_root("/etc/ld.so.preload"), text;
    if (!read_file(file, text)) return;
    std::string word;
    auto flush = [&] {
      if (word.empty()) return;
      JsonOut o = begin("persistence");
      o.field("source", "ld_so_preload").field("path", word);
      o.field("name", std::string(fs::path(word).filename()));
      o.field("config", shown(file));
      if (word.front() == '/')
        if (const FileDigests* h = digests(under_root(word), opt.max_size))
          o.field("sha256", h->sha256).field("sha1", h->sha1).field("md5", h->md5);
      done(o);
      word.clear();
    };
    bool comment = false;
    for (char c : text) {
      if (c == '\n') comment = false;
      if (comment) continue;
      if (c == '#') {
        comment = true;
        flush();
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':') {
        flush();
      } else {
        word += c;
      }
    }
    flush();
  }

  // at(1) jobs: /var/spool/cron/atjobs (Debian) or /var/spool/at (Red Hat). A job file is a
  // shell script that restores the submitter's environment and then runs the command, which
  // at writes inside a here-document ("<< 'marcinDELIMITER...'").
  void at_jobs() {
    for (const char* dir : {"/var/spool/cron/atjobs", "/var/spool/at"}) {
      std::error_code ec;
      for (const auto& d : fs::directory_iterator(under_root(dir), ec)) {
        std::error_code e2;
        if (!d.is_regular_file(e2) || d.path().filename().string().front() == '.') continue;
        std::string text;
        if (!read_file(d.path(), text)) {
          ++stats.unreadable;
          continue;
        }
        std::istringstream in(text);
        std::string line, delimiter, command;
        bool inside = false;
        while (std::getline(in, line)) {
          if (!line.empty() && line.back() == '\r') line.pop_back();
          if (inside) {
            if (line == delimiter) break;
            if (!trim(line).empty()) command += (command.empty() ? "" : "; ") + trim(line);
            continue;
          }
          std::size_t k = line.find("<< '");
          if (k != std::string::npos && line.find("marcinDELIMITER", k) != std::string::npos) {
            std::size_t e = line.find('\'', k + 4);
            delimiter = line.substr(k + 4, e == std::string::npos ? std::string::npos : e - k - 4);
            inside = true;
          }
        }
        if (!inside) {  // not at's layout: report the script's last command line
          std::istringstream again(text);
          while (std::getline(again, line)) {
            std::string t = trim(line);
            if (!t.empty() && t[0] != '#') command = t;
          }
        }
        persistence_entry("at", d.path(), d.path().filename(), command, true);
      }
    }
  }

  // XDG autostart entries (desktop sessions): the Exec= line of each .desktop file.
  void autostart(const std::vector<std::string>& hs) {
    std::vector<std::string> dirs = {under_root("/etc/xdg/autostart")};
    for (const auto& h : hs) dirs.push_back(h + "/.config/autostart");
    for (const auto& dir : dirs) {
      std::error_code ec;
      for (const auto& d : fs::directory_iterator(dir, ec)) {
        std::error_code e2;
        if (!d.is_regular_file(e2) || d.path().extension() != ".desktop") continue;
        std::string text, line, command;
        if (!read_file(d.path(), text)) continue;
        std::istringstream in(text);
        while (std::getline(in, line))
          if (line.rfind("Exec=", 0) == 0) {
            command = trim(std::string_view(line).substr(5));
            break;
          }
        persistence_entry("autostart", d.path(), d.path().filename(), command, true);
      }
    }
  }

  // Loaded kernel modules (/proc/modules), with the module file from modules.dep when it is
  // part of the running kernel's tree. A module loaded from anywhere else (insmod /tmp/x.ko)
  // has no path: "in_tree": false is worth a look on its own.
  void modules() {
    if (!want("module")) return;
    std::string text;
    if (!read_file(opt.proc + "/modules", text, 16 << 20)) {
      ++stats.unreadable;
      return;
    }
    std::unordered_map<std::string, std::string> files;  // module name -> path
    std::string release = kernel_release();
    std::string dep;
    std::string base = "/lib/modules/" + release + "/";
    if (!release.empty() && read_file(under_root(base + "modules.dep"), dep, 64 << 20)) {
      std::istringstream in(dep);
      std::string line;
      while (std::getline(in, line)) {
        std::string rel = line.substr(0, line.find(':'));
        std::string name = fs::path(rel).filename();
        name = name.substr(0, name.find(".ko"));
        std::replace(name.begin(), name.end(), '-', '_');
        files.emplace(name, rel.front() == '/' ? rel : base + rel);
      }
    }
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      // name size refcount deps state address [taint flags]
      std::istringstream f(line);
      std::string name, size, refs, deps, state, address, taint;
      if (!(f >> name >> size >> refs >> deps >> state >> address)) continue;
      std::getline(f, taint);
      taint = trim(taint);
      if (taint.size() >= 2 && taint.front() == '(' && taint.back() == ')')
        taint = taint.substr(1, taint.size() - 2);
      JsonOut o = begin("module");
      o.field("name", name);
      o.field("size", static_cast<int64_t>(std::strtoll(size.c_str(), nullptr, 10)));
      o.field("used_by", deps == "-" ? "" : deps.substr(0, deps.size() - (deps.back() == ',')));
      o.field("status", state);
      if (!taint.empty()) o.field("taint", taint);
      auto it = files.find(name);
      o.field("in_tree", it != files.end());
      if (it != files.end()) {
        o.field("path", it->second);
        if (const FileDigests* h = digests(under_root(it->second), opt.max_size))
          o.field("sha256", h->sha256).field("sha1", h->sha1).field("md5", h->md5);
      }
      done(o);
    }
  }

  // The running kernel's release: --kernel-release, else /proc/sys/kernel/osrelease.
  std::string kernel_release() const {
    if (!opt.kernel_release.empty()) return opt.kernel_release;
    std::string r;
    if (!read_file(opt.proc + "/sys/kernel/osrelease", r, 256)) return "";
    return trim(r);
  }

  void persistence() {
    if (!want("persistence")) return;
    std::error_code ec;
    cron_file(under_root("/etc/crontab"), true);
    for (const char* dir : {"/etc/cron.d"})
      for (const auto& d : fs::directory_iterator(under_root(dir), ec))
        if (d.is_regular_file()) cron_file(d.path(), true);
    for (const char* dir : {"/var/spool/cron/crontabs", "/var/spool/cron"}) {
      std::error_code e2;
      for (const auto& d : fs::directory_iterator(under_root(dir), e2))
        if (d.is_regular_file()) cron_file(d.path(), false);
    }
    // Units an administrator (or an intruder) installs, then the packaged ones; transient
    // units under /run too. A unit name is reported from the first folder that has it, as
    // systemd itself resolves it.
    std::vector<std::string> unit_dirs;
    for (const char* d : {"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
                          "/lib/systemd/system", "/usr/lib/systemd/system", "/etc/systemd/user",
                          "/usr/lib/systemd/user"})
      unit_dirs.push_back(under_root(d));
    std::vector<std::string> hs = homes();
    for (const auto& h : hs) unit_dirs.push_back(h + "/.config/systemd/user");
    std::set<std::string> seen_units;  // folder kind (system/user) + unit name
    std::set<std::pair<dev_t, ino_t>> seen_dirs;  // /lib is often a symlink to /usr/lib
    for (const auto& dir : unit_dirs) {
      struct stat dst;
      if (::stat(dir.c_str(), &dst) != 0 || !seen_dirs.insert({dst.st_dev, dst.st_ino}).second)
        continue;
      bool user = dir.find("/user") != std::string::npos;
      std::error_code e2;
      auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, e2);
      if (e2) continue;
      for (auto end = fs::recursive_directory_iterator(); it != end; it.increment(e2)) {
        if (e2) break;
        std::error_code e3;
        if (it->is_symlink(e3) || !it->is_regular_file(e3)) continue;
        std::string ext = it->path().extension();
        if (ext != ".service" && ext != ".timer" && ext != ".path" && ext != ".socket") continue;
        std::string name = it->path().filename();
        if (!seen_units.insert((user ? "u:" : "s:") + name).second) continue;
        systemd_unit(it->path(), name);
      }
    }
    ld_so_preload();
    at_jobs();
    autostart(hs);
    std::vector<std::string> rcs;
    for (const char* f : {"/etc/profile", "/etc/bash.bashrc", "/etc/bash.bash_logout", "/etc/zsh/zshrc",
                          "/etc/zsh/zshenv", "/etc/zsh/zprofile", "/etc/zsh/zlogin", "/etc/environment",
                          "/etc/rc.local"})
      rcs.push_back(under_root(f));
    for (const auto& d : fs::directory_iterator(under_root("/etc/profile.d"), ec))
      rcs.push_back(d.path());
    for (const auto& h : hs)
      for (const char* f : {".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile",
                            ".zshrc", ".zshenv", ".zprofile", ".zlogin", ".config/fish/config.fish"})
        rcs.push_back(h + "/" + f);
    for (const auto& p : rcs) {
      struct stat st;
      if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      persistence_entry("shell_rc", p, fs::path(p).filename(), "", true);
    }
    for (const auto& h : hs) {
      for (const char* f : {"/.ssh/authorized_keys", "/.ssh/authorized_keys2"}) {
        std::string p = h + f, text;
        if (!read_file(p, text)) continue;
        std::istringstream in(text);
        std::string line;
        while (std::getline(in, line)) {
          std::string t = trim(line);
          if (t.empty() || t[0] == '#') continue;
          std::istringstream w(t);
          std::vector<std::string> words;
          std::string x;
          while (w >> x) words.push_back(x);
          // Options may come first; the key type starts with ssh-, ecdsa- or sk-.
          std::size_t k = 0;
          while (k < words.size() && words[k].rfind("ssh-", 0) != 0 &&
                 words[k].rfind("ecdsa-", 0) != 0 && words[k].rfind("sk-", 0) != 0)
            ++k;
          if (k + 1 >= words.size()) continue;
          std::string blob = b64_decode(words[k + 1]);
          if (blob.empty()) continue;
          std::string comment;
          for (std::size_t i = k + 2; i < words.size(); ++i) comment += (comment.empty() ? "" : " ") + words[i];
          std::string digest = sha256_hex(blob);
          JsonOut o = begin("persistence");
          o.field("source", "authorized_keys").field("path", shown(p)).field("name", comment);
          o.field("key_type", words[k]);
          o.field("fingerprint", "SHA256:" + b64_encode_nopad(hex_to_bytes(digest)));
          o.field("sha256", digest);
          done(o);
        }
      }
    }
  }
};

}  // namespace

bool parse_proc_addr(std::string_view hex, bool v6, std::string& addr, int& port) {
  auto colon = hex.find(':');
  if (colon == std::string_view::npos) return false;
  std::string a(hex.substr(0, colon));
  port = static_cast<int>(std::strtol(std::string(hex.substr(colon + 1)).c_str(), nullptr, 16));
  unsigned char bytes[16];
  std::size_t words = v6 ? 4 : 1;
  if (a.size() != words * 8) return false;
  for (std::size_t w = 0; w < words; ++w) {
    uint32_t v = static_cast<uint32_t>(std::strtoul(a.substr(w * 8, 8).c_str(), nullptr, 16));
    // Each 32-bit word is printed in host order (little-endian on the machines we run on).
    bytes[w * 4 + 0] = static_cast<unsigned char>(v & 0xFF);
    bytes[w * 4 + 1] = static_cast<unsigned char>((v >> 8) & 0xFF);
    bytes[w * 4 + 2] = static_cast<unsigned char>((v >> 16) & 0xFF);
    bytes[w * 4 + 3] = static_cast<unsigned char>((v >> 24) & 0xFF);
  }
  char out[INET6_ADDRSTRLEN];
  if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, out, sizeof out)) return false;
  addr = out;
  return true;
}

CollectStats collect(const CollectOptions& opt, const std::function<void(const std::string&)>& emit) {
  Collector c{opt, emit, {}, opt.host, time::format_rfc3339(time::now()), {}, {}};
  if (c.host.empty()) {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    c.host = buf;
  }
  c.processes();
  c.sockets();
  c.files();
  c.persistence();
  c.modules();
  return c.stats;
}

}  // namespace tr::match
