// The one-line progress of the simulated day on stderr: redrawn in place on a terminal
// (`[#####.....] 11:42 leads 96/200 handed over 31 production 4`), an occasional plain line
// otherwise (logs, CI). Thread-safety: one thread.
#pragma once

#include <ostream>
#include <string>

namespace day {

class Progress {
 public:
  // `tty`: draw in place; otherwise print a line each time the virtual hour changes.
  Progress(std::ostream& out, bool tty) : out_(out), tty_(tty) {}

  // `fraction` of the run done (0..1), `clock` "11:42", `text` what has happened so far.
  void Update(double fraction, const std::string& clock, const std::string& text);
  // A line of its own (a warning), without breaking the bar.
  void Note(const std::string& line);
  // Ends the bar's line.
  void Finish();

 private:
  std::ostream& out_;
  bool tty_;
  bool drawn_ = false;
  std::string last_hour_;
};

}  // namespace day
