// What a change of a JSON document changes, leaf by leaf: the settings page previews a new
// settings version as "queues.closers.cap: 15 → 12" before it is saved.
// Pure: no I/O. Thread-safety: plain values.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace core {

struct JsonChange {
  std::string path;       // dotted, array items by index: "tasks.0.title"
  nlohmann::json before;  // null when added
  nlohmann::json after;   // null when removed
};

// Objects are compared key by key and arrays item by item; any other difference is one change
// at that path. In path order.
std::vector<JsonChange> JsonChanges(const nlohmann::json& before, const nlohmann::json& after);

}  // namespace core
