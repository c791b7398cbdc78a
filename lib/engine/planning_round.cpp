#include "lib/engine/planning_round.h"

namespace engine {

std::string PlanningRound::Canonical(const b24::BatchCommand& command) {
  return command.method + '\n' + command.params.dump();
}

b24::Result<std::vector<b24::BatchItem>> PlanningRound::Batch(
    const std::vector<b24::BatchCommand>& commands) {
  std::vector<b24::BatchItem> items;
  bool complete = true;
  for (const auto& command : commands) {
    const std::string canonical = Canonical(command);
    const auto answer = answers_.find(canonical);
    if (answer != answers_.end()) {
      if (complete) {
        items.push_back(answer->second);
        items.back().key = command.key;
      }
      continue;
    }
    complete = false;
    if (noted_keys_.insert(canonical).second) {
      noted_.push_back(
          {"r" + std::to_string(answers_.size() + noted_.size()), command.method, command.params});
    }
  }
  if (!complete) {
    ++put_off_;
    return tl::unexpected(b24::Failure{b24::FailureKind::kTransport, 0, "PUT_OFF",
                                       "the read waits for the round's batch"});
  }
  return items;
}

b24::Result<b24::Response> PlanningRound::Call(const std::string& method,
                                               const nlohmann::json& params) {
  auto items = Batch({{"c", method, params}});
  if (!items) return tl::unexpected(items.error());
  auto& item = items->front();
  if (item.failure) return tl::unexpected(*item.failure);
  return b24::Response{std::move(item.result), item.total, item.next, 0, 0};
}

b24::Result<void> PlanningRound::Fetch() {
  if (noted_.empty()) return {};
  auto items = client_.Batch(member_id_, noted_, b24::Lane::kInteractive);
  if (!items) return tl::unexpected(items.error());
  for (size_t i = 0; i < noted_.size() && i < items->size(); ++i)
    answers_[Canonical(noted_[i])] = std::move((*items)[i]);
  noted_.clear();
  noted_keys_.clear();
  return {};
}

int PlanningRound::AssignedInRound(int64_t category_id, int64_t user) const {
  const auto found = assigned_.find({category_id, user});
  return found == assigned_.end() ? 0 : found->second;
}

int64_t PlanningRound::OwnerInRound(const std::string& entity_type, int64_t id) const {
  const auto found = owners_.find({entity_type, id});
  return found == owners_.end() ? 0 : found->second;
}

}  // namespace engine
