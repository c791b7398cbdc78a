// A portal's current conveyor settings: its latest saved version, parsed, or the defaults of a
// new installation (install/settings.json, version 0) when it never saved any.
// Thread-safety: safe to share between threads.
#pragma once

#include <string>

#include "lib/core/settings.h"
#include "lib/store/settings_store.h"

namespace engine {

class PortalSettings {
 public:
  PortalSettings(store::SettingsStore& store, core::Settings defaults)
      : store_(store), defaults_(std::move(defaults)) {}

  // Fails when storage fails, or kInternal when the stored version no longer parses (it was
  // validated when saved, so only a format change can cause that; the event is retried).
  core::Result<core::Settings> For(const std::string& member_id);

 private:
  store::SettingsStore& store_;
  const core::Settings defaults_;
};

}  // namespace engine
