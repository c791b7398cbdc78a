// The emulated portals' data. Everything a portal holds is here, as plain structs and JSON
// rows, so that the whole state can be dumped, persisted (--state) and inspected (control API).
// Thread-safety: none by itself; State::mutex guards every instance.
#pragma once

#include <array>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace emu {

using json = nlohmann::ordered_json;

// One app installed into one portal (REST.md §1).
struct Installation {
  std::string client_id;
  std::string scope;  // comma-separated, e.g. "crm,user,placement"
  int version = 1;
  bool installed = false;  // "installation finished": events and placements work only then
  std::string application_token;
  std::string application_url;
  std::string installer_url;
  std::string install_event_url;
  int admin_user_id = 1;
  std::string status = "L";  // F, D, T, P or L
};

struct Binding {
  long id = 0;
  std::string client_id;
  std::string event;  // upper case
  std::string handler;
  int auth_type = 0;  // 0: the user who triggered the change
  bool offline = false;
  std::string connector;
  json options = json::object();
};

struct OfflineEvent {
  long id = 0;
  std::string client_id;
  std::string connector;
  double timestamp = 0;
  std::string event_name;
  json data;
  json additional;
  std::string message_id;  // md5(EVENT_NAME|json(EVENT_DATA)): one row per object
  std::string process_id;  // empty until reserved by event.offline.get clear=0
  bool error = false;
};

struct PlacementBinding {
  long id = 0;
  std::string client_id;
  std::string placement;
  std::string handler;
  std::string title;
  std::string description;
  std::string group_name;
  json lang_all = json::object();
  json options = json::object();
  int user_id = 0;
};

struct Limits {
  double bucket = 50;                            // leaky bucket size (Enterprise: 250)
  double drain = 2;                              // requests per second (Enterprise: 5)
  double operating_limit = 480;                  // seconds of method time per 10 minutes
  std::map<std::string, double> method_seconds;  // simulated execution time per method
};

// Per-method operating time in ten one-minute buckets (REST.md §4.2).
struct OperatingWindow {
  std::array<double, 10> seconds{};
  std::array<long, 10> minute{};
};

struct Fault {
  std::string method;  // "*" for any method
  int remaining = 0;
  int skip = 0;  // matching calls that pass untouched before the fault applies
  int status = 503;
  std::string code;
  std::string description;
  bool after = false;   // run the method, then answer with the fault: "applied, answer lost"
  double delay_ms = 0;  // hold the answer back this long; with status 200 the answer is the
                        // method's own, only late (a slow portal, a client that gives up)
};

struct Portal {
  std::string member_id;
  std::string domain;  // host[:port]; REST lives at {protocol}://{domain}/rest/
  std::vector<std::string> previous_domains;  // they answer 302 to `domain`
  // "free" (no work-time tracking: its timeman.* methods do not exist), "basic" (50 / 2 per s)
  // or "enterprise" (250 / 5 per s).
  std::string plan = "basic";
  std::string language = "ru";
  int tz_minutes = 180;  // the portal's zone east of UTC (Moscow by default)

  std::map<long, json> users;                       // user.get rows (+ internal "ADMIN")
  std::map<long, json> departments;                 // department.get rows
  std::map<long, json> presence;                    // timeman.status results per user
  std::map<std::string, std::map<long, json>> crm;  // "LEAD", "DEAL", "CONTACT", "COMPANY"
  std::map<long, json> categories;                  // deal pipelines; 0 is the default
  std::map<long, json> statuses;                    // crm.status rows by ID
  std::map<long, json> userfields;                  // crm.*.userfield rows by ID
  std::map<long, json> timeline_comments;
  std::map<long, json> activities;
  std::map<long, json> tasks;
  std::map<long, json> notifications;
  std::map<long, json> deal_contacts;  // deal id -> [{CONTACT_ID, SORT, IS_PRIMARY}]
  // crm.stagehistory.list rows by ID, one table per kind ("LEAD", "DEAL") as in Bitrix24:
  // ID, TYPE_ID, OWNER_ID, CREATED_TIME (unix seconds) and the kind's stage fields.
  std::map<std::string, std::map<long, json>> stage_history;
  std::map<std::string, long> next_id;  // per sequence name

  std::map<std::string, Installation> installations;  // by client_id
  std::vector<Binding> bindings;
  std::vector<OfflineEvent> offline_events;
  std::vector<PlacementBinding> placements;
  std::map<std::string, long> webhooks;  // code -> user id

  Limits limits;
  double bucket_level = 0;
  double bucket_updated = 0;
  std::map<std::string, OperatingWindow> operating;  // caller + method
  std::vector<Fault> faults;
  // A hostile portal (issue 15, item 8), for every REST call of apps and webhooks: "" (off),
  // "wrong_types" (every value of the envelope of the wrong type), "huge_operating"
  // (time.operating and operating_reset_at far beyond any limit), "redirect" (302 to another
  // host), "html" (an HTML page with status 200), "slow" (every answer held hostile_delay_ms).
  std::string hostile;
  double hostile_delay_ms = 0;

  long NextId(const std::string& sequence) { return ++next_id[sequence]; }
};

// OAuth tokens live outside portals, as on oauth.bitrix.info; both kinds map to a portal user.
struct AccessToken {
  std::string member_id;
  std::string client_id;
  long user_id = 0;
  double expires = 0;
};
struct RefreshToken {
  std::string member_id;
  std::string client_id;
  long user_id = 0;
  double expires = 0;
};

}  // namespace emu
