#include "lib/core/action.h"

#include <catch2/catch.hpp>

namespace action_test {

using nlohmann::json;

TEST_CASE("which writes may be sent again when their outcome is unknown") {
  const struct {
    const char* method;
    bool repeatable;
  } rows[] = {
      {"crm.lead.update", true},
      {"crm.deal.update", true},
      {"crm.deal.get", true},
      {"crm.deal.contact.items.set", true},
      {"crm.deal.add", false},
      {"crm.timeline.comment.add", false},
      {"tasks.task.add", false},
      {"im.notify.system.add", false},
      {"im.notify.personal.add", false},
      {"crm.activity.todo.add", false},
  };
  for (const auto& row : rows) {
    INFO(row.method);
    CHECK(core::RepeatableWithoutLookup(row.method) == row.repeatable);
  }
}

TEST_CASE("result references are recognised exactly") {
  const struct {
    json value;
    const char* key;
  } rows[] = {
      {"$result[deal]", "deal"},
      {"$result[handover:lead:1:deal]", "handover:lead:1:deal"},
      {"$result[deal][ID]", ""},  // a path into a result: left to the portal
      {"$result[]", ""},
      {"result[deal]", ""},
      {42, ""},
      {nullptr, ""},
  };
  for (const auto& row : rows) {
    INFO(row.value.dump());
    CHECK(core::ReferencedKey(row.value) == row.key);
  }
}

TEST_CASE("references to finished actions are replaced — others left for the batch") {
  const json params = {{"fields",
                        {{"ENTITY_ID", "$result[deal]"},
                         {"OWNER", "$result[later]"},
                         {"LIST", {"$result[deal]", 1}}}}};
  const json known = {{"deal", 17}};
  const json resolved = core::ResolveReferences(params, known);
  CHECK(resolved["fields"]["ENTITY_ID"] == 17);
  CHECK(resolved["fields"]["OWNER"] == "$result[later]");
  CHECK(resolved["fields"]["LIST"] == json::array({17, 1}));

  const json text = {{"COMMENT", "deal #$result[deal] from $result[later], #$result[deal]."}};
  CHECK(core::ResolveReferences(text, known)["COMMENT"] == "deal #17 from $result[later], #17.");
}

}  // namespace action_test
