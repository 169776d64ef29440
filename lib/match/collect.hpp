// The Linux endpoint collector behind `tr-ioc-check collect`: standard library and /proc only,
// so `ssh host tr-ioc-check collect | tr-ioc-check --iocs report.json` needs nothing else
// installed on the host. It writes artifact records (osquery column names):
//
//   process     pid, name, path (/proc/PID/exe), cmdline, sha256/sha1/md5 of the executable
//               (read through /proc/PID/exe, so a deleted binary is still hashed), on_disk
//   connection  protocol, local_address, local_port, remote_address, remote_port, state, pid,
//               name, path (from /proc/net/{tcp,tcp6,udp,udp6} and the owners' socket fds)
//   listening   protocol, address, port, pid, name, path
//   file        path, size, mtime, sha256, sha1, md5: regular files under --path changed
//               within --since (symlinks are not followed; files over --max-size are listed
//               without hashes)
//   persistence source (cron, at, systemd, shell_rc, autostart, ld_so_preload,
//               authorized_keys), path, name, command, program, sha256 (of the file; of the
//               key blob for authorized_keys; of the library for ld_so_preload); systemd
//               units from /etc, /run, /usr/local/lib, /lib and /usr/lib (system and user)
//               and ~/.config/systemd/user, timers with their schedule and unit
//   module      name, size, used_by, status, taint, in_tree, path and hashes of the .ko
//               file (loaded kernel modules from /proc/modules, files from modules.dep)
//
// With a root (--root DIR: a mounted image, or a fake tree in tests) every file is read under
// DIR, /proc as DIR/proc, and paths are reported as the endpoint sees them (without DIR).
//
// Unreadable items (other users' processes without root) are skipped: the collector reports
// what it can see and says how much it could not on -v.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tr::match {

struct CollectOptions {
  int64_t since_ms = 24 * 3600 * 1000;  // file changes in the last N
  std::vector<std::string> paths;       // empty: /tmp /var/tmp /dev/shm and every home
  std::string host;                     // empty: gethostname()
  std::string root = "";                // a mounted system to read instead of / (paths are
                                        // reported without it); "" = this machine
  std::string proc = "/proc";           // ROOT/proc with a root
  std::string kernel_release;           // for /lib/modules/<release>; "" = from proc
  int64_t max_size = 64ll << 20;        // hash files up to this size
  std::vector<std::string> only;        // artifact types to collect; empty: all
};

struct CollectStats {
  std::size_t records = 0, unreadable = 0;
};

// Collects and calls `emit` with each artifact record (compact JSON, no newline).
CollectStats collect(const CollectOptions& opt, const std::function<void(const std::string&)>& emit);

// Parses one /proc/net/{tcp,udp}[6] address "0100007F:1F90" into text and port.
bool parse_proc_addr(std::string_view hex, bool v6, std::string& addr, int& port);

}  // namespace tr::match
