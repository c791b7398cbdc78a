#include "emulator/day/progress.h"

#include <algorithm>

namespace day {

void Progress::Update(double fraction, const std::string& clock, const std::string& text) {
  if (!tty_) {
    const std::string hour = clock.substr(0, 2);
    if (hour == last_hour_) return;
    last_hour_ = hour;
    out_ << "b24-day: " << clock << " " << text << std::endl;
    return;
  }
  constexpr int kWidth = 20;
  const int done = std::clamp(static_cast<int>(fraction * kWidth), 0, kWidth);
  // \r returns to the line's start, \033[K clears what a longer previous line left.
  out_ << "\r[" << std::string(static_cast<size_t>(done), '#')
       << std::string(static_cast<size_t>(kWidth - done), '.') << "] " << clock << " " << text
       << "\033[K" << std::flush;
  drawn_ = true;
}

void Progress::Note(const std::string& line) {
  if (drawn_) out_ << "\r\033[K";
  out_ << line << std::endl;
  drawn_ = false;
}

void Progress::Finish() {
  if (drawn_) out_ << std::endl;
  drawn_ = false;
}

}  // namespace day
