#include "emulator/day/metrics.h"

#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>

#include "emulator/day/portal_client.h"

namespace day {

std::vector<Decision> ParseLabelled(const std::string& page, const std::string& name) {
  std::vector<Decision> out;
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.compare(0, name.size(), name) != 0) continue;
    std::string rest = line.substr(name.size());
    Decision decision;
    if (!rest.empty() && rest[0] == '{') {
      const auto close = rest.find('}');
      if (close == std::string::npos) continue;
      decision.labels = rest.substr(1, close - 1);
      rest = rest.substr(close + 1);
    } else if (!rest.empty() && rest[0] != ' ') {
      continue;  // another metric whose name starts the same way
    }
    const auto begin = rest.find_first_not_of(' ');
    if (begin == std::string::npos) continue;
    const auto end = rest.find(' ', begin);
    decision.value = rest.substr(begin, end == std::string::npos ? end : end - begin);
    out.push_back(decision);
  }
  return out;
}

std::vector<std::pair<std::string, long>> GrowthByLabel(const std::string& before,
                                                        const std::string& after,
                                                        const std::string& name,
                                                        const std::string& label) {
  const std::string prefix = label + "=\"";
  std::map<std::string, long> growth;
  const auto add = [&](const std::string& page, long sign) {
    for (const auto& line : ParseLabelled(page, name)) {
      const auto begin = line.labels.find(prefix);
      if (begin == std::string::npos) continue;
      const auto end = line.labels.find('"', begin + prefix.size());
      if (end == std::string::npos) continue;
      growth[line.labels.substr(begin + prefix.size(), end - begin - prefix.size())] +=
          sign * std::atol(line.value.c_str());
    }
  };
  add(before, -1);
  add(after, 1);
  std::vector<std::pair<std::string, long>> out(growth.begin(), growth.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

long ParseCounter(const std::string& page, const std::string& name) {
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() <= name.size() || line.compare(0, name.size(), name) != 0 ||
        line[name.size()] != ' ') {
      continue;
    }
    const std::string value = line.substr(name.size() + 1);
    char* end = nullptr;
    const double number = std::strtod(value.c_str(), &end);
    return end != value.c_str() && number >= 0 ? static_cast<long>(number) : -1;
  }
  return -1;
}

std::string FetchMetrics(const std::string& base_url, std::string& error) {
  std::string host;
  int port = 0;
  if (!ParseHttpUrl(base_url, host, port)) {
    error = "not an http://host:port URL: " + base_url;
    return "";
  }
  httplib::Client client(host, port);
  client.set_connection_timeout(3, 0);
  client.set_read_timeout(10, 0);
  auto res = client.Get("/metrics");
  if (!res) {
    error = "cannot reach " + base_url + ": " + to_string(res.error());
    return "";
  }
  if (res->status != 200) {
    error = base_url + "/metrics answered HTTP " + std::to_string(res->status);
    return "";
  }
  return res->body;
}

}  // namespace day
