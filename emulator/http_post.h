// One outbound form POST from the emulator to the app (events, installer, placements).
// Thread-safety: reentrant; never call it while holding State::mutex (the app calls back).
#pragma once

#include <string>

namespace emu {

struct PostResult {
  int status = 0;  // 0: no connection
  std::string body;
  std::string content_type;
};

// POSTs `form` (url-encoded) to `url` (http or https; certificates are not verified because
// tests use throw-away ones). `extra_query` is appended to the URL's query string.
PostResult PostForm(const std::string& url, const std::string& extra_query, const std::string& form,
                    double timeout_seconds);

}  // namespace emu
