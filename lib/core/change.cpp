#include "lib/core/change.h"

#include <cstdlib>

#include <cstdio>

namespace core {

std::string ContentHash(const nlohmann::json& entity) {
  nlohmann::json content = entity;
  if (content.is_object()) {
    for (const char* volatile_field :
         {"DATE_MODIFY", "MODIFY_BY_ID", "LAST_ACTIVITY_TIME", "LAST_ACTIVITY_BY"}) {
      content.erase(volatile_field);
    }
  }
  // FNV-1a 64: stable across runs and builds, unlike std::hash.
  uint64_t hash = 1469598103934665603ULL;
  for (const char c : content.dump()) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::string TextField(const nlohmann::json& entity, const std::string& name) {
  if (!entity.is_object()) return "";
  const auto it = entity.find(name);
  if (it == entity.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return "";
}

int64_t IdValue(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_string())
    return std::strtoll(value.get_ref<const std::string&>().c_str(), nullptr, 10);
  return 0;
}

int64_t IdField(const nlohmann::json& entity, const std::string& name) {
  return entity.is_object() && entity.contains(name) ? IdValue(entity[name]) : 0;
}

std::vector<Read> Rules::ReadAhead(const std::vector<EntityChange>&) { return {}; }

std::vector<Result<Outcome>> Rules::PlanAll(const std::vector<EntityChange>& changes,
                                            const std::vector<Answer>&) {
  std::vector<Result<Outcome>> outcomes;
  for (const auto& change : changes) outcomes.push_back(Plan(change));
  return outcomes;
}

}  // namespace core
