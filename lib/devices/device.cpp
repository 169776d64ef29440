#include "devices/device.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace tr::devices {

std::string Device::apply(std::string_view, const Entry&, int64_t) {
  throw ExternalError("device " + name() + " cannot be changed directly");
}

std::string Device::render_file(const std::vector<Entry>&, int64_t) const { return ""; }

std::optional<std::vector<Entry>> Device::current() { return std::nullopt; }

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

int64_t ttl_seconds(const Entry& e, int64_t now) {
  if (!e.expires) return 0;
  int64_t left = *e.expires - now;
  if (left <= 0) return 1;
  return (left + 999) / 1000;
}

}  // namespace tr::devices
