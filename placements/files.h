// The page files of placements/ (the card tab, the app page and their assets), embedded into the
// binary at build time by placements/embed.cmake.
#pragma once

#include <string_view>

namespace placements {

struct File {
  std::string_view name;  // relative to placements/: "journey.html", "assets/common.js"
  std::string_view content;
  std::string_view content_type;
};

// The file of that name, or nullptr.
const File* Find(std::string_view name);

}  // namespace placements
