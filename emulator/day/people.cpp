#include "emulator/day/people.h"

#include "emulator/day/random.h"

namespace day {
namespace {

constexpr double kMinute = 60;

const char* const kJunkReasons[] = {"Не наш город", "Не устроила цена", "Не устроили сроки", "Спам",
                                    "Ошибся номером"};
const char* const kLostReasons[] = {"Выбрал конкурента", "Дорого", "Отложил покупку"};

Move Make(MoveKind kind, const char* to, double minutes) {
  Move move;
  move.kind = kind;
  move.to = to;
  move.delay = minutes * kMinute;
  return move;
}

}  // namespace

std::optional<Move> HunterMove(uint64_t seed, long lead_id) {
  Random random = RandomFor(seed, "hunter", lead_id);
  const double minutes = random.Int(3, 25);
  const double outcome = random.Uniform();
  if (outcome < 0.45) return Make(MoveKind::kReadyNow, kLeadReadyNow, minutes);
  if (outcome < 0.60) {
    Move move = Make(MoveKind::kReadyLater, kLeadReadyLater, minutes);
    move.ready_in_days = random.Int(1, 2);
    return move;
  }
  if (outcome < 0.95) {
    Move move = Make(MoveKind::kJunk, kLeadJunk, minutes);
    move.reason = kJunkReasons[random.Int(0, 4)];
    return move;
  }
  return std::nullopt;
}

std::optional<Move> CloserMove(uint64_t seed, long deal_id, const std::string& stage,
                               bool rescheduled, int visit) {
  // The deal's fate is drawn once; each step's delay has draws of its own.
  Random fate = RandomFor(seed, "closer", deal_id);
  const bool lost = fate.Chance(0.20);
  const int lost_at = fate.Int(0, 2);  // MEETING, OFFER or AGREED
  const bool reschedule = fate.Chance(0.15);
  const std::string lost_reason = kLostReasons[fate.Int(0, 2)];
  Random step = RandomFor(seed, "closer:" + stage + ":" + std::to_string(visit), deal_id);
  auto lose = [&](double minutes) {
    Move move = Make(MoveKind::kLost, "LOSE", minutes);
    move.reason = lost_reason;
    return move;
  };
  if (stage == "ASSIGNED") return Make(MoveKind::kMeeting, "MEETING", step.Int(10, 45));
  if (stage == "MEETING") {
    if (reschedule && !rescheduled)
      return Make(MoveKind::kReschedule, "ASSIGNED", step.Int(20, 60));
    if (lost && lost_at == 0) return lose(step.Int(20, 60));
    return Make(MoveKind::kOffer, "OFFER", step.Int(30, 90));
  }
  if (stage == "OFFER") {
    if (lost && lost_at == 1) return lose(step.Int(20, 90));
    return Make(MoveKind::kAgreed, "AGREED", step.Int(20, 90));
  }
  if (stage == "AGREED") {
    if (lost && lost_at == 2) return lose(step.Int(10, 40));
    return Make(MoveKind::kContract, "CONTRACT", step.Int(10, 40));
  }
  return std::nullopt;  // FREE waits for the conveyor; CONTRACT for payment and production
}

std::optional<Move> MasterMove(uint64_t seed, long deal_id, const std::string& stage) {
  Random step = RandomFor(seed, "master:" + stage, deal_id);
  if (stage == "ASSIGNED") return Make(MoveKind::kProduction, "PLANNED", step.Int(15, 45));
  if (stage == "PLANNED") return Make(MoveKind::kProduction, "SHIPPED_1", step.Int(30, 90));
  if (stage == "SHIPPED_1") return Make(MoveKind::kProduction, "SHIPPED_2", step.Int(30, 90));
  if (stage == "SHIPPED_2") return Make(MoveKind::kProduction, "SHIPPED_3", step.Int(30, 90));
  if (stage == "SHIPPED_3") return Make(MoveKind::kShipped, "WON", step.Int(15, 60));
  return std::nullopt;
}

const char* MoveName(MoveKind kind) {
  switch (kind) {
    case MoveKind::kReadyNow:
      return "ready_now";
    case MoveKind::kReadyLater:
      return "ready_later";
    case MoveKind::kJunk:
      return "junk";
    case MoveKind::kMeeting:
      return "meeting";
    case MoveKind::kReschedule:
      return "rescheduled";
    case MoveKind::kOffer:
      return "offer";
    case MoveKind::kAgreed:
      return "agreed";
    case MoveKind::kContract:
      return "contract";
    case MoveKind::kLost:
      return "lost";
    case MoveKind::kProduction:
      return "production_stage";
    case MoveKind::kShipped:
      return "shipped";
  }
  return "unknown";
}

}  // namespace day
