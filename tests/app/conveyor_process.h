// Runs build/bin/conveyor as a child process on an ephemeral port; killed when out of scope.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/emulator/harness.h"

namespace test {

class ConveyorProcess {
 public:
  // `log` (optional): a file that takes the server's log lines (stderr) instead of the test's.
  explicit ConveyorProcess(const std::map<std::string, std::string>& env, const std::string& db,
                           const std::string& log = "")
      : db_(db) {
    char dir[] = "/tmp/conveyor-test-XXXXXX";
    if (mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp");
    dir_ = dir;
    const std::string port_file = dir_ + "/port.json";
    // Everything the child needs is made before the fork: the test process has threads (the
    // emulator's), so between fork and exec the child may only make async-signal-safe calls —
    // a malloc there can wait for ever on a lock another thread held at the fork.
    std::map<std::string, std::string> vars = {{"CONVEYOR_LOG_LEVEL", "warn"}};
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry = *e;
      const auto eq = entry.find('=');
      if (eq != std::string::npos) vars.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    for (const auto& [k, v] : env) vars[k] = v;
    vars["CONVEYOR_DB"] = db_;
    std::vector<std::string> entries;
    for (const auto& [k, v] : vars) entries.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& entry : entries) envp.push_back(entry.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = {CONVEYOR_BIN,  "serve",       "--listen",
                                     "127.0.0.1:0", "--port-file", port_file};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int log_fd = log.empty() ? -1 : open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_ = fork();
    if (pid_ == 0) {
      // If the test process dies (an abort under ASan), take the server down with it: an orphan
      // would hold ctest's output pipe open and hang the whole run.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (log_fd >= 0) dup2(log_fd, STDERR_FILENO);
      execve(CONVEYOR_BIN, argv.data(), envp.data());
      _exit(127);
    }
    if (log_fd >= 0) close(log_fd);
    bool exited = false;  // a refused start is known at once, not after the wait below
    if (!Eventually(
            [&] {
              int status = 0;
              if (waitpid(pid_, &status, WNOHANG) == pid_) {
                exit_status_ = status;
                pid_ = -1;
                exited = true;
                return true;
              }
              std::ifstream in(port_file);
              nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
              if (j.is_discarded() || !j.contains("port")) return false;
              port_ = j["port"].get<int>();
              return true;
            },
            10) ||
        exited) {
      Stop();
      throw std::runtime_error("conveyor did not start");
    }
  }
  ~ConveyorProcess() { Stop(); }
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      exit_status_ = status;
      pid_ = -1;
    }
  }
  void Kill9() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }
  int exit_status() const { return exit_status_; }

 private:
  std::string db_;
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_status_ = -1;
};

}  // namespace test
