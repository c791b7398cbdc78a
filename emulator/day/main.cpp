// b24-day: a simulated call-center working day against the portal emulator (see docs/demo-day.md).
// `company` creates the demo company; `run` plays the day while the Conveyor app distributes.
// Exit status: 0 done, 1 the day could not be played, 2 bad flags or no emulator.
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "emulator/day/company.h"
#include "emulator/day/day_run.h"

namespace {

constexpr double kWorkingDayMinutes = 9 * 60;  // 09:00-18:00

int Fail(const day::Failure& failure) {
  std::cerr << "b24-day: " << failure.message << "\n";
  return failure.unreachable ? 2 : 1;
}

int Company(const std::string& emulator, const std::string& portal) {
  day::PortalClient client(emulator, portal);
  auto company = day::CreateCompany(client);
  if (!company) return Fail(company.error());
  std::cout << day::CompanyJson(*company).dump() << std::endl;
  return 0;
}

int Run(const std::string& emulator, const std::string& portal, const day::RunOptions& options,
        const std::string& json_file) {
  day::PortalClient client(emulator, portal);
  day::Progress progress(std::cerr, isatty(STDERR_FILENO) == 1);
  auto summary = day::RunDay(client, options, progress);
  progress.Finish();
  if (!summary) return Fail(summary.error());
  day::PrintSummary(std::cout, *summary);
  std::cout.flush();
  if (!json_file.empty()) {
    std::ofstream out(json_file);
    out << day::SummaryJson(*summary).dump(2) << "\n";
    if (!out) return Fail({false, "cannot write " + json_file});
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    CLI::App cli{"b24-day: a simulated call-center working day against the b24-emulator portal"};
    cli.require_subcommand(1);
    std::string emulator, portal, conveyor, json_file;
    day::RunOptions options;
    int poll_ms = 150;
    const auto url = CLI::Validator(
        [](std::string& value) {
          std::string host;
          int port = 0;
          return day::ParseHttpUrl(value, host, port) ? "" : "expected http://HOST:PORT";
        },
        "URL");
    // CLI::PositiveNumber names the range up to DBL_MAX in full; this says what is wanted.
    const auto positive = CLI::Validator(
        [](std::string& value) -> std::string {
          char* end = nullptr;
          const double number = std::strtod(value.c_str(), &end);
          const bool whole = !value.empty() && end == value.c_str() + value.size();
          return whole && number > 0 && std::isfinite(number)
                     ? ""
                     : "expected a number above 0, got " + value;
        },
        "POSITIVE");

    CLI::App* company = cli.add_subcommand("company", "create the demo company, print its ids");
    company->add_option("--emulator", emulator, "the emulator, http://HOST:PORT")
        ->required()
        ->check(url);
    company->add_option("--portal", portal, "member_id of the portal (default: the default one)");

    CLI::App* run = cli.add_subcommand("run", "play one working day, print a summary");
    run->add_option("--emulator", emulator, "the emulator, http://HOST:PORT")
        ->required()
        ->check(url);
    run->add_option("--portal", portal, "member_id of the portal (default: the default one)");
    run->add_option("--leads", options.leads, "enquiries during the day")
        ->check(CLI::Range(0, 100000))
        ->capture_default_str();
    run->add_option("--seed", options.seed, "the day's seed (the same seed, the same day)")
        ->capture_default_str();
    run->add_option("--speed", options.speed, "virtual seconds per real second")
        ->check(positive)
        ->capture_default_str();
    run->add_option("--conveyor", conveyor, "the Conveyor app, for its decision counters")
        ->check(url);
    run->add_option("--json", json_file, "also write the summary as JSON to this file");
    run->add_option("--poll-ms", poll_ms, "real milliseconds between looks at the portal")
        ->check(CLI::Range(10, 5000))
        ->capture_default_str();
    run->add_option("--arrivals-per-minute", options.arrivals_per_minute,
                    "a rate run: leads arrive evenly, R per virtual minute from Monday 09:00, "
                    "and the run stops once the conveyor has settled (default: spread over the "
                    "day)")
        ->check(positive);
    run->add_option("--steady-after", options.steady_after_minutes,
                    "a rate run: also count the app's requests per lead from this many minutes "
                    "after the first arrival to the last one, and watch its inbox depth")
        ->check(positive);
    run->add_option("--think-scale", options.think_scale,
                    "multiplies every person's reaction time (0.01: within seconds)")
        ->check(positive)
        ->capture_default_str();

    try {
      cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return cli.exit(e);
      std::cerr << "b24-day: " << e.what() << " (see b24-day --help)\n";
      return 2;
    }
    if (*company) return Company(emulator, portal);
    if (options.arrivals_per_minute > 0 &&
        options.leads / options.arrivals_per_minute > kWorkingDayMinutes) {
      std::cerr << "b24-day: --leads " << options.leads << " at --arrivals-per-minute "
                << options.arrivals_per_minute << " do not fit in a working day ("
                << kWorkingDayMinutes << " minutes) (see b24-day --help)\n";
      return 2;
    }
    if (options.steady_after_minutes > 0 && options.arrivals_per_minute <= 0) {
      std::cerr << "b24-day: --steady-after needs --arrivals-per-minute (see b24-day --help)\n";
      return 2;
    }
    options.conveyor_url = conveyor;
    options.poll_seconds = poll_ms / 1000.0;
    return Run(emulator, portal, options, json_file);
  } catch (const std::exception& e) {
    std::cerr << "b24-day: " << e.what() << "\n";
    return 1;
  }
}
