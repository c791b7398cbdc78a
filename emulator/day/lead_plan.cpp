#include "emulator/day/lead_plan.h"

#include <algorithm>
#include <cctype>

#include "emulator/day/random.h"

namespace day {
namespace {

struct Name {
  const char* cyrillic;
  const char* latin;
};

// First names with their grammatical gender; last names in the masculine form and the feminine
// ending to add.
const Name kMen[] = {{"Иван", "ivan"},       {"Алексей", "alexey"}, {"Сергей", "sergey"},
                     {"Дмитрий", "dmitry"},  {"Андрей", "andrey"},  {"Михаил", "mikhail"},
                     {"Николай", "nikolay"}, {"Павел", "pavel"},    {"Олег", "oleg"},
                     {"Юрий", "yury"}};
const Name kWomen[] = {{"Ольга", "olga"},      {"Елена", "elena"}, {"Татьяна", "tatyana"},
                       {"Наталья", "natalya"}, {"Мария", "maria"}, {"Светлана", "svetlana"},
                       {"Ирина", "irina"},     {"Анна", "anna"},   {"Юлия", "yulia"},
                       {"Ксения", "ksenia"}};
const Name kLastNames[] = {
    {"Смирнов", "smirnov"},    {"Кузнецов", "kuznetsov"}, {"Попов", "popov"},
    {"Васильев", "vasiliev"},  {"Петров", "petrov"},      {"Соколов", "sokolov"},
    {"Михайлов", "mikhailov"}, {"Новиков", "novikov"},    {"Фёдоров", "fedorov"},
    {"Морозов", "morozov"},    {"Волков", "volkov"},      {"Алексеев", "alekseev"},
    {"Лебедев", "lebedev"},    {"Семёнов", "semenov"},    {"Егоров", "egorov"}};
const char* const kDomains[] = {"mail.ru", "yandex.ru", "gmail.com", "inbox.ru", "bk.ru"};

struct Source {
  const char* id;
  double weight;
  bool phone;
  bool email;
  const char* title;  // the title a web form or the telephony gives the lead
};
const Source kSources[] = {
    {"WEB", 0.35, true, true, "Заявка с сайта"},
    {"CALL", 0.25, true, false, "Входящий звонок"},
    {"EMAIL", 0.12, false, true, "Письмо на почту"},
    {"ADVERTISING", 0.18, true, true, "Заявка с рекламы"},
    {"RECOMMENDATION", 0.10, true, false, "По рекомендации"},
};

const Source& SourceOf(const std::string& id) {
  for (const auto& s : kSources) {
    if (id == s.id) return s;
  }
  return kSources[0];
}

const Source& PickSource(Random& random) {
  double x = random.Uniform();
  for (const auto& s : kSources) {
    if (x < s.weight) return s;
    x -= s.weight;
  }
  return kSources[0];
}

// One arrival between start and end: a morning peak, an after-lunch peak and a steady trickle;
// fewer during the lunch hour.
double Arrival(Random& random, double start, double lunch, double end) {
  for (;;) {
    const double pick = random.Uniform();
    double t = 0;
    if (pick < 0.42) {
      t = random.Normal(start + 1.5 * 3600, 50 * 60);  // ~10:30
    } else if (pick < 0.82) {
      t = random.Normal(lunch + 1.75 * 3600, 55 * 60);  // ~14:45
    } else {
      t = random.Uniform(start, end);
    }
    if (t < start || t >= end) continue;
    if (t >= lunch && t < lunch + 3600 && random.Chance(0.6)) continue;
    return t;
  }
}

std::string Digits(Random& random) {
  std::string digits = "9";
  for (int i = 0; i < 9; ++i) digits.push_back(static_cast<char>('0' + random.Int(0, 9)));
  return digits;
}

// The same address as people retype it: capitals here and there, stray spaces around it.
std::string RewriteEmail(const std::string& email, Random& random) {
  std::string out;
  bool capital = true;
  for (const char c : email) {
    const bool letter = std::isalpha(static_cast<unsigned char>(c)) != 0;
    if (letter && (capital || random.Chance(0.15))) {
      out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    } else {
      out.push_back(c);
    }
    capital = c == '.' || c == '@';
  }
  return (random.Chance(0.5) ? " " : "") + out + "  ";
}

}  // namespace

std::string WritePhone(const std::string& d, int style) {
  const std::string code = d.substr(0, 3), a = d.substr(3, 3), b = d.substr(6, 2),
                    c = d.substr(8, 2);
  switch (style) {
    case 0:
      return "+7 (" + code + ") " + a + "-" + b + "-" + c;
    case 1:
      return "8 " + code + " " + a + "-" + b + "-" + c;
    case 2:
      return "+7" + d;
    case 3:
      return "+7 (" + code + ") " + a + " " + b + " " + c;
    case 4:
      return d;
    default:
      return "8(" + code + ")" + a + b + c;
  }
}

std::vector<PlannedLead> PlanLeads(int count, uint64_t seed, double day_start, double lunch,
                                   double day_end) {
  Random random(seed);
  std::vector<double> times;
  for (int i = 0; i < count; ++i) times.push_back(Arrival(random, day_start, lunch, day_end));
  std::sort(times.begin(), times.end());

  // Which enquiries repeat an earlier one: count / 10 of them, never the first.
  std::vector<bool> repeat(static_cast<size_t>(count), false);
  int repeats = count / 10;
  while (repeats > 0) {
    const int i = random.Int(1, count - 1);
    if (repeat[static_cast<size_t>(i)]) continue;
    repeat[static_cast<size_t>(i)] = true;
    --repeats;
  }

  std::vector<PlannedLead> plan;
  for (int i = 0; i < count; ++i) {
    PlannedLead lead;
    lead.at = times[static_cast<size_t>(i)];
    int style = random.Int(0, 2);  // first enquiries use the three commonest writings
    if (repeat[static_cast<size_t>(i)]) {
      int original = random.Int(0, i - 1);
      while (plan[static_cast<size_t>(original)].repeat_of >= 0) {
        original = plan[static_cast<size_t>(original)].repeat_of;  // the person's first enquiry
      }
      const PlannedLead& first = plan[static_cast<size_t>(original)];
      lead = first;
      lead.at = times[static_cast<size_t>(i)];
      lead.repeat_of = original;
      if (!first.phone.empty()) {
        lead.source = random.Chance(0.6) ? "CALL" : "WEB";  // they call again or write again
        // Another writing of the same number; the e-mail (if any) is left out this time.
        std::string digits;
        for (const char c : first.phone) {
          if (std::isdigit(static_cast<unsigned char>(c)) != 0) digits.push_back(c);
        }
        digits = digits.substr(digits.size() - 10);
        do {
          style = random.Int(0, kPhoneStyles - 1);
        } while (WritePhone(digits, style) == first.phone);
        lead.phone = WritePhone(digits, style);
        lead.email.clear();
      } else {
        lead.source = "EMAIL";
        lead.email = RewriteEmail(first.email, random);
      }
    } else {
      const bool woman = random.Chance(0.5);
      const Name& first_name = woman ? kWomen[random.Int(0, 9)] : kMen[random.Int(0, 9)];
      const Name& last = kLastNames[random.Int(0, 14)];
      lead.name = first_name.cyrillic;
      lead.last_name = std::string(last.cyrillic) + (woman ? "а" : "");
      const Source& source = PickSource(random);
      lead.source = source.id;
      if (source.phone) lead.phone = WritePhone(Digits(random), style);
      if (source.email) {
        lead.email = std::string(first_name.latin) + "." + last.latin + (woman ? "a" : "") +
                     (random.Chance(0.4) ? std::to_string(random.Int(1, 99)) : "") + "@" +
                     kDomains[random.Int(0, 4)];
      }
    }
    plan.push_back(lead);
  }
  return plan;
}

void SpreadEvenly(std::vector<PlannedLead>& plan, double start, double per_minute) {
  for (size_t i = 0; i < plan.size(); ++i) {
    plan[i].at = start + static_cast<double>(i) * 60.0 / per_minute;
  }
}

nlohmann::ordered_json LeadFields(const PlannedLead& lead) {
  nlohmann::ordered_json fields = {
      {"TITLE", std::string(SourceOf(lead.source).title) + ": " + lead.name + " " + lead.last_name},
      {"NAME", lead.name},
      {"LAST_NAME", lead.last_name},
      {"SOURCE_ID", lead.source},
      {"STATUS_ID", "NEW"},
      {"OPENED", "Y"},
  };
  if (!lead.phone.empty()) {
    fields["PHONE"] = {{{"VALUE", lead.phone}, {"VALUE_TYPE", "WORK"}}};
  }
  if (!lead.email.empty()) {
    fields["EMAIL"] = {{{"VALUE", lead.email}, {"VALUE_TYPE", "WORK"}}};
  }
  return fields;
}

}  // namespace day
