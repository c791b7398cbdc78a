#include "lib/core/first_settings.h"

#include <array>
#include <cstdint>

#include "lib/core/change.h"

namespace core {
namespace {

using json = nlohmann::json;

// Lower case for ASCII and the Russian alphabet in UTF-8 (А-Я, Ё), hyphens as spaces, runs of
// spaces as one, none at the ends: department names as people type them.
std::string Folded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '-' || c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
      continue;
    }
    if ((c == 0xD0 || c == 0xD1) && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      const uint32_t code = ((c & 0x1Fu) << 6) | (next & 0x3Fu);
      uint32_t lower = code;
      if (code >= 0x410 && code <= 0x42F) lower = code + 0x20;  // А-Я → а-я
      if (code == 0x401) lower = 0x451;                         // Ё → ё
      out += static_cast<char>(0xC0 | (lower >> 6));
      out += static_cast<char>(0x80 | (lower & 0x3F));
      ++i;
      continue;
    }
    out += static_cast<char>(c);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The settings' field for a stage role of a direction ("" pipeline: the lead's statuses).
std::string* RoleField(Settings& settings, const std::string& pipeline, const std::string& role) {
  if (pipeline.empty()) {
    LeadStages& l = settings.lead;
    if (role == "duplicate_check") return &l.duplicate_check;
    if (role == "free") return &l.free;
    if (role == "assigned") return &l.assigned;
    if (role == "ready_now") return &l.ready_now;
    if (role == "ready_later") return &l.ready_later;
    return nullptr;
  }
  PipelineStages* p = pipeline == settings.sales.pipeline        ? &settings.sales
                      : pipeline == settings.production.pipeline ? &settings.production
                                                                 : nullptr;
  if (p == nullptr) return nullptr;
  if (role == "free") return &p->free;
  if (role == "assigned") return &p->assigned;
  if (role == "meeting") return &p->meeting;
  if (role == "carry_over") return &p->carry_over;
  if (role == "lost") return &p->lost;
  return nullptr;
}

void FollowStages(FirstSetup& setup, const std::string& direction, const std::string& pipeline,
                  const std::vector<StageSpec>& stages, const PortalLayout& layout) {
  for (const auto& stage : stages) {
    std::string* field = RoleField(setup.settings, pipeline, stage.role);
    if (field == nullptr || *field != stage.id) continue;  // not a role, or an admin's choice
    const std::string found = FoundStage(layout, pipeline, stage);
    if (found.empty() || found == stage.id) continue;
    *field = found;
    setup.stages[direction + "." + stage.role] = found;
  }
}

}  // namespace

std::optional<std::string> QueueOfDepartmentName(std::string_view name) {
  static const std::array<std::pair<const char*, const char*>, 11> kNames = {{
      {"колл центр", "hunters"},
      {"call center", "hunters"},
      {"call centre", "hunters"},
      {"callcenter", "hunters"},
      {"отдел продаж", "closers"},
      {"продажи", "closers"},
      {"sales", "closers"},
      {"sales department", "closers"},
      {"производство", "production"},
      {"production", "production"},
      {"production department", "production"},
  }};
  const std::string folded = Folded(name);
  for (const auto& [known, queue] : kNames) {
    if (folded == known) return std::string(queue);
  }
  return std::nullopt;
}

FirstSetup FirstSettings(Settings defaults, const json& departments, const InstallSpec& spec,
                         const PortalLayout& layout, std::string_view time_zone) {
  FirstSetup setup;
  setup.settings = std::move(defaults);
  if (!time_zone.empty() && IsKnownTimeZone(time_zone)) {
    setup.settings.schedule.time_zone = std::string(time_zone);
    setup.time_zone = std::string(time_zone);
  }
  if (departments.is_array()) {
    for (const auto& row : departments) {
      if (!row.is_object()) continue;
      const int64_t id = IdValue(row.value("ID", json()));
      const auto queue = QueueOfDepartmentName(TextField(row, "NAME"));
      if (id <= 0 || !queue) continue;
      Queue& q = setup.settings.queues[*queue];
      const bool chosen_before = setup.departments.contains(*queue);
      if (!chosen_before && (!q.departments.empty() || !q.users.empty())) continue;
      q.departments.push_back(id);
      setup.departments[*queue].push_back({{"id", id}, {"name", TextField(row, "NAME")}});
    }
  }
  FollowStages(setup, "lead", "", spec.lead_statuses, layout);
  for (const auto& pipeline : spec.pipelines)
    FollowStages(setup, pipeline.role, pipeline.name, pipeline.stages, layout);
  return setup;
}

}  // namespace core
