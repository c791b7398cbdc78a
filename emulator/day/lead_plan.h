// The day's enquiries, planned before the day starts: when each arrives, who it is from, how
// they wrote their phone and e-mail, and which are repeat enquiries of an earlier one (the same
// person, the contact written another way). Pure and deterministic for a seed.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace day {

struct PlannedLead {
  double at = 0;       // virtual unix seconds
  std::string source;  // SOURCE_ID
  std::string name;
  std::string last_name;
  std::string phone;   // as written; empty when the enquiry left none
  std::string email;   // as written; empty when the enquiry left none
  int repeat_of = -1;  // index of the original enquiry in the plan, -1 for a first enquiry
};

// `count` enquiries between `day_start` and `day_end` (virtual seconds), sorted by arrival,
// with a morning and an after-lunch peak (`lunch` is the start of the lunch hour);
// count / 10 of them are repeat enquiries.
std::vector<PlannedLead> PlanLeads(int count, uint64_t seed, double day_start, double lunch,
                                   double day_end);

// Re-times `plan` for a rate run: the enquiries keep who they are from and their order but
// arrive evenly, `per_minute` of them each (virtual) minute from `start`, the first at `start`.
void SpreadEvenly(std::vector<PlannedLead>& plan, double start, double per_minute);

// The crm.lead.add fields of an enquiry, as a web form or a call would fill them.
nlohmann::ordered_json LeadFields(const PlannedLead& lead);

// Writings of one Russian mobile number (10 digits, "9123456789") as people type it.
std::string WritePhone(const std::string& digits, int style);
constexpr int kPhoneStyles = 6;

}  // namespace day
