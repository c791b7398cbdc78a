// A portal's current conveyor settings: its latest saved version, parsed, or the defaults of a
// new installation (install/settings.json, version 0) when it never saved any.
// The last parsed version of each portal is kept: every plan asks, and parsing is what costs.
// Thread-safety: safe to share between threads.
#pragma once

#include <map>
#include <mutex>
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
  struct Parsed {
    int version = 0;
    std::string body;  // as stored: a portal installed anew numbers its versions from 1 again
    core::Settings settings;
  };

  store::SettingsStore& store_;
  const core::Settings defaults_;
  std::mutex mutex_;
  std::map<std::string, Parsed> parsed_;  // GUARDED_BY(mutex_), by member_id
};

}  // namespace engine
