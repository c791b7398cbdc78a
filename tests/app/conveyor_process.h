// Runs build/bin/conveyor as a child process on an ephemeral port; killed when out of scope.
#pragma once

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
    pid_ = fork();
    if (pid_ == 0) {
      // If the test process dies (an abort under ASan), take the server down with it: an orphan
      // would hold ctest's output pipe open and hang the whole run.
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      setenv("CONVEYOR_LOG_LEVEL", "warn", 1);  // unless the test says otherwise
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      setenv("CONVEYOR_DB", db_.c_str(), 1);
      if (!log.empty() && std::freopen(log.c_str(), "w", stderr) == nullptr) _exit(126);
      execl(CONVEYOR_BIN, CONVEYOR_BIN, "serve", "--listen", "127.0.0.1:0", "--port-file",
            port_file.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    if (!Eventually(
            [&] {
              std::ifstream in(port_file);
              nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
              if (j.is_discarded() || !j.contains("port")) return false;
              port_ = j["port"].get<int>();
              return true;
            },
            10)) {
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
