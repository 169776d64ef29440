#include "devices/device.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <poll.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace tr::devices {

std::string Device::apply(std::string_view, const Entry&, int64_t) {
  throw ExternalError("device " + name() + " cannot be changed directly");
}

std::string Device::render_file(const std::vector<Entry>&, int64_t) const { return ""; }

std::optional<std::vector<Entry>> Device::current() { return std::nullopt; }

std::optional<std::vector<Entry>> Device::parse_listing(std::string_view) const {
  return std::nullopt;
}

std::string Device::refresh_list(std::string_view, const std::string&) {
  throw UsageError("device " + name() + " (" + type() + ") cannot be told to refresh a list");
}

void write_atomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw ExternalError(tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw ExternalError(path + ": writing failed: " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw ExternalError(path + ": writing failed: " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw ExternalError(path + ": " + std::strerror(err));
  }
}


// Runs argv (no shell) with `input` on stdin; collects stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC))
    throw ExternalError(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) throw ExternalError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  std::size_t written = 0;
  CommandResult r;
  bool in_open = true;
  if (input.empty()) {
    ::close(in[1]);
    in_open = false;
  }
  bool out_open = true, err_open = true;
  while (out_open || err_open || in_open) {
    pollfd fds[3];
    int n = 0;
    int io = -1, oo = -1, eo = -1;
    if (in_open) { io = n; fds[n++] = {in[1], POLLOUT, 0}; }
    if (out_open) { oo = n; fds[n++] = {out[0], POLLIN, 0}; }
    if (err_open) { eo = n; fds[n++] = {err[0], POLLIN, 0}; }
    if (::poll(fds, n, 30000) <= 0) break;
    char buf[4096];
    if (io >= 0 && fds[io].revents) {
      ssize_t w = ::write(in[1], input.data() + written, input.size() - written);
      if (w > 0) written += static_cast<std::size_t>(w);
      if (w < 0 || written == input.size()) { ::close(in[1]); in_open = false; }
    }
    if (oo >= 0 && fds[oo].revents) {
      ssize_t k = ::read(out[0], buf, sizeof buf);
      if (k > 0) r.out.append(buf, static_cast<std::size_t>(k)); else { ::close(out[0]); out_open = false; }
    }
    if (eo >= 0 && fds[eo].revents) {
      ssize_t k = ::read(err[0], buf, sizeof buf);
      if (k > 0) r.err.append(buf, static_cast<std::size_t>(k)); else { ::close(err[0]); err_open = false; }
    }
  }
  if (in_open) ::close(in[1]);
  if (out_open) ::close(out[0]);
  if (err_open) ::close(err[0]);
  int st = 0;
  ::waitpid(pid, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}


int64_t ttl_seconds(const Entry& e, int64_t now) {
  if (!e.expires) return 0;
  int64_t left = *e.expires - now;
  if (left <= 0) return 1;
  return (left + 999) / 1000;
}

}  // namespace tr::devices
