// Starts a test server from tests/servers/ for a unit test and stops it at scope exit.
#pragma once
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace tr::testing {

class TestServer {
 public:
  // script: file name under tests/servers; args: extra arguments (e.g. "--scenario", "x").
  explicit TestServer(const std::string& script, std::vector<std::string> args = {}) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    log_ = std::string("/tmp/tr-test-server-") + std::to_string(getpid()) + "-" +
           std::to_string(counter()++) + ".log";
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
      std::string path = std::string(TR_SOURCE_DIR) + "/tests/servers/" + script;
      std::vector<std::string> argv_s = {"python3", path, "--log", log_, "--lifetime", "60"};
      for (auto& a : args) argv_s.push_back(a);
      std::vector<char*> argv;
      for (auto& a : argv_s) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp("python3", argv.data());
      _exit(127);
    }
    close(fds[1]);
    FILE* f = fdopen(fds[0], "r");
    char line[64] = {0};
    if (!fgets(line, sizeof line, f)) throw std::runtime_error("test server did not start");
    fclose(f);
    port_ = std::stoi(std::string(line).substr(5));
  }
  ~TestServer() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    std::remove(log_.c_str());
  }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  const std::string& log() const { return log_; }
  // Requests logged so far (one JSON line each).
  std::vector<std::string> requests() const {
    std::vector<std::string> out;
    FILE* f = std::fopen(log_.c_str(), "r");
    if (!f) return out;
    char* buf = nullptr;
    size_t cap = 0;
    while (getline(&buf, &cap, f) > 0) out.emplace_back(buf);
    free(buf);
    std::fclose(f);
    return out;
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
};

}  // namespace tr::testing
