#include "lib/core/install_spec.h"

namespace core {
namespace {

using json = nlohmann::json;

Error Invalid(const std::string& what) { return {ErrorCode::kInvalidArgument, what}; }

bool String(const json& object, const char* key, std::string& out) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) return false;
  out = it->get<std::string>();
  return true;
}

Result<std::vector<StageSpec>> Stages(const json& list, const std::string& where) {
  if (!list.is_array() || list.empty())
    return tl::unexpected(Invalid(where + ": a non-empty list"));
  std::vector<StageSpec> out;
  for (const auto& item : list) {
    StageSpec s;
    if (!item.is_object() || !String(item, "role", s.role) || !String(item, "id", s.id) ||
        !String(item, "name", s.name) || !item.contains("sort") ||
        !item["sort"].is_number_integer()) {
      return tl::unexpected(
          Invalid(where + ": each stage needs role, id, name and an integer sort"));
    }
    s.sort = item["sort"].get<long>();
    if (item.contains("semantics") && !String(item, "semantics", s.semantics))
      return tl::unexpected(Invalid(where + ": a stage's semantics is \"F\" or absent"));
    if (!s.semantics.empty() && s.semantics != "F")
      return tl::unexpected(Invalid(where + ": a stage's semantics is \"F\" or absent"));
    out.push_back(s);
  }
  return out;
}

Result<std::vector<UserFieldSpec>> Fields(const json& list, const std::string& where) {
  std::vector<UserFieldSpec> out;
  if (!list.is_array()) return tl::unexpected(Invalid(where + ": a list"));
  for (const auto& item : list) {
    UserFieldSpec f;
    if (!item.is_object() || !String(item, "name", f.name) || !String(item, "type", f.type) ||
        !String(item, "label", f.label)) {
      return tl::unexpected(Invalid(where + ": each field needs name, type and label"));
    }
    out.push_back(f);
  }
  return out;
}

}  // namespace

Result<InstallSpec> ParseInstallSpec(const json& spec) {
  if (!spec.is_object()) return tl::unexpected(Invalid("install spec: an object"));
  InstallSpec out;
  out.version = spec.value("version", 0);
  auto statuses = Stages(spec.value("lead_statuses", json()), "lead_statuses");
  if (!statuses) return tl::unexpected(statuses.error());
  out.lead_statuses = *statuses;
  const json pipelines = spec.value("pipelines", json());
  if (!pipelines.is_array() || pipelines.empty())
    return tl::unexpected(Invalid("pipelines: a non-empty list"));
  for (const auto& item : pipelines) {
    PipelineSpec p;
    if (!item.is_object() || !String(item, "role", p.role) || !String(item, "name", p.name)) {
      return tl::unexpected(Invalid("pipelines: each needs role and name"));
    }
    p.sort = item.value("sort", 500L);
    p.success_name = item.value("success_name", std::string());
    auto stages = Stages(item.value("stages", json()), "pipelines." + p.role + ".stages");
    if (!stages) return tl::unexpected(stages.error());
    p.stages = *stages;
    out.pipelines.push_back(p);
  }
  const json fields = spec.value("user_fields", json::object());
  auto lead = Fields(fields.value("lead", json::array()), "user_fields.lead");
  if (!lead) return tl::unexpected(lead.error());
  auto deal = Fields(fields.value("deal", json::array()), "user_fields.deal");
  if (!deal) return tl::unexpected(deal.error());
  out.lead_fields = *lead;
  out.deal_fields = *deal;
  return out;
}

Result<Manifest> ParseManifest(const json& manifest) {
  if (!manifest.is_object()) return tl::unexpected(Invalid("manifest: an object"));
  Manifest m;
  if (!String(manifest, "code", m.code)) return tl::unexpected(Invalid("manifest: code"));
  m.version = manifest.value("version", 0);
  for (const char* key : {"scopes", "events"}) {
    const json list = manifest.value(key, json());
    if (!list.is_array())
      return tl::unexpected(Invalid(std::string("manifest: ") + key + " must be a list"));
    for (const auto& item : list) {
      if (!item.is_string())
        return tl::unexpected(Invalid(std::string("manifest: ") + key + " holds strings"));
      (std::string(key) == "scopes" ? m.scopes : m.events).push_back(item.get<std::string>());
    }
  }
  const json placements = manifest.value("placements", json::object());
  for (const auto& item : placements.items()) {
    m.placement_titles[item.key()] =
        item.value().value("title", json::object()).value("ru", item.key());
  }
  const json handlers = manifest.value("handlers", json());
  if (!handlers.is_object() || !String(handlers, "app", m.app_path) ||
      !String(handlers, "installer", m.installer_path) ||
      !String(handlers, "install_event", m.install_event_path) ||
      !String(handlers, "events", m.events_path)) {
    return tl::unexpected(
        Invalid("manifest: handlers needs app, installer, install_event and events paths"));
  }
  const json paths = handlers.value("placements", json::object());
  for (const auto& item : placements.items()) {
    if (!paths.contains(item.key()) || !paths[item.key()].is_string()) {
      return tl::unexpected(Invalid("manifest: no handler path for placement " + item.key()));
    }
    m.placement_paths[item.key()] = paths[item.key()].get<std::string>();
  }
  return m;
}

}  // namespace core
