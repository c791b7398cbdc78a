#include "lib/engine/portal_settings.h"

namespace engine {

core::Result<core::Settings> PortalSettings::For(const std::string& member_id) {
  auto latest = store_.Latest(member_id);
  if (!latest) return tl::unexpected(latest.error());
  if (!*latest) {
    core::Settings settings = defaults_;
    settings.version = 0;
    return settings;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto kept = parsed_.find(member_id);
    if (kept != parsed_.end() && kept->second.version == (*latest)->version &&
        kept->second.body == (*latest)->body)
      return kept->second.settings;
  }
  auto parsed = core::ParseSettings(nlohmann::json::parse((*latest)->body, nullptr, false));
  if (!parsed) {
    return core::Fail(core::ErrorCode::kInternal, "stored settings version " +
                                                      std::to_string((*latest)->version) +
                                                      " do not parse: " + parsed.error().message);
  }
  parsed->version = (*latest)->version;
  std::lock_guard<std::mutex> lock(mutex_);
  parsed_[member_id] = {(*latest)->version, std::move((*latest)->body), *parsed};
  return parsed;
}

}  // namespace engine
