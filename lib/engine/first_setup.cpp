#include "lib/engine/first_setup.h"

#include "lib/core/change.h"
#include "lib/core/first_settings.h"
#include "lib/engine/provisioner.h"

namespace engine {

core::Result<void> SetUpFirst(const FirstSetupWiring& w, const std::string& member_id,
                              int64_t now) {
  auto saved = w.settings->Latest(member_id);
  if (!saved) return tl::unexpected(saved.error());
  if (*saved) return {};  // set up before: by this, or by an admin
  // Docs: departments/department-get.md (50 a page; ListAll follows `next`).
  auto rows = w.client->ListAll(member_id, "department.get", nlohmann::json::object(),
                                b24::Lane::kInteractive);
  if (!rows) return tl::unexpected(b24::ToCoreError(rows.error(), "department.get"));
  const nlohmann::json departments = *rows;  // an array of the rows
  auto layout = ReadLayout(*w.client, member_id);
  if (!layout) return tl::unexpected(b24::ToCoreError(layout.error(), "the portal's stages"));
  // Docs: api-reference/common/users/profile.md (scope basic): TIME_ZONE, the installing
  // admin's own zone, may be empty. Without it the default zone stays.
  auto profile =
      w.client->Call(member_id, "profile", nlohmann::json::object(), b24::Lane::kInteractive);
  const std::string zone =
      profile && profile->result.is_object() ? core::TextField(profile->result, "TIME_ZONE") : "";
  const auto setup = core::FirstSettings(w.defaults, departments, w.spec, *layout, zone);
  auto version =
      w.settings->Save(member_id, core::SettingsToJson(setup.settings).dump(), now, 0, 0);
  if (!version) {
    // Someone saved first (an admin, the other install request): theirs stands.
    if (version.error().code == core::ErrorCode::kConflict) return {};
    return tl::unexpected(version.error());
  }
  if (w.decisions != nullptr) {
    core::Decision decision{"set_up",
                            "",
                            0,
                            0,
                            *version,
                            {{"departments", setup.departments},
                             {"stages", setup.stages},
                             {"time_zone", setup.time_zone}}};
    (void)w.decisions->Append(member_id, decision, now);  // the settings are what matters
  }
  return {};
}

}  // namespace engine
