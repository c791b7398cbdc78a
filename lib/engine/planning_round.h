// What the rules' plans for one round of events share (REST economy, issue #4 item 9: batching
// across events):
// - the portal's answers. A plan reads through the round; a read the round cannot answer yet is
//   noted and the plan is put off. The round then sends every noted read of every put-off plan
//   in one batch request, and those plans run again. Reads repeated across plans (a queue's
//   loads and presence) are sent once.
// - the assignments its plans made, so that loads read once per round still count the items the
//   round itself handed out.
// Thread-safety: a round belongs to the one thread that plans it.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "lib/b24/rest_client.h"

namespace engine {

class PlanningRound {
 public:
  PlanningRound(b24::RestClient& client, std::string member_id)
      : client_(client), member_id_(std::move(member_id)) {}

  const std::string& member_id() const { return member_id_; }

  // The answers to `commands`, one per command in order with the caller's keys, when the round
  // has them all; otherwise the missing ones are noted and this fails with a put-off failure.
  b24::Result<std::vector<b24::BatchItem>> Batch(const std::vector<b24::BatchCommand>& commands);
  // One read, likewise.
  b24::Result<b24::Response> Call(const std::string& method,
                                  const nlohmann::json& params = nlohmann::json::object());

  // An answer the round got before its plans ran (read ahead with the round's own reads).
  void Seed(const b24::BatchCommand& command, b24::BatchItem answer) {
    answers_[Canonical(command)] = std::move(answer);
  }

  // Reads noted and not yet sent.
  size_t noted() const { return noted_.size(); }
  // How many reads were put off so far: a plan that failed while this grew was put off, not
  // refused.
  size_t put_off() const { return put_off_; }
  // Sends the noted reads in one batch (more when over 50) and keeps the answers.
  b24::Result<void> Fetch();

  // An item handed to `user` in the pipeline `category_id` (-1: leads) by one of the round's
  // plans, and how many such the user got in this round.
  void CountAssignment(int64_t category_id, int64_t user) { ++assigned_[{category_id, user}]; }
  int AssignedInRound(int64_t category_id, int64_t user) const;
  // A rotation turn (core::IsHandOut) a plan of the round gave `user`: what the journal will
  // count once the round is done. An SLA reassignment adds to a load, never to the turns.
  void CountTurn(int64_t user) { ++turns_[user]; }
  int TurnsInRound(int64_t user) const {
    const auto it = turns_.find(user);
    return it == turns_.end() ? 0 : it->second;
  }
  // Who a plan of the round gave an item to (0: none): the owner a repeat enquiry of it must go
  // to, though the portal does not show it yet.
  void NoteOwner(const std::string& entity_type, int64_t id, int64_t user) {
    owners_[{entity_type, id}] = user;
  }
  int64_t OwnerInRound(const std::string& entity_type, int64_t id) const;

  // What makes two reads the same read: the method and its parameters (not the key).
  static std::string Canonical(const b24::BatchCommand& command);

 private:
  b24::RestClient& client_;
  std::string member_id_;
  std::map<std::string, b24::BatchItem> answers_;  // by Canonical
  std::vector<b24::BatchCommand> noted_;
  std::set<std::string> noted_keys_;
  size_t put_off_ = 0;
  std::map<std::pair<int64_t, int64_t>, int> assigned_;
  std::map<int64_t, int> turns_;  // by user
  std::map<std::pair<std::string, int64_t>, int64_t> owners_;
};

}  // namespace engine
