// crm.item.* for entity types 1 (lead), 2 (deal), 3 (contact) and 4 (company): camelCase,
// real numbers, `{"item": ...}` envelopes; a deal's categoryId change moves it between
// pipelines and fires ONCRMDEALMOVETOCATEGORY. Docs: api-reference/crm/universal/crm-item-*.md
#include "emulator/crm_store.h"

namespace emu {
namespace {

tl::expected<const EntityKind*, RestError> KindOf(const Call& call) {
  const json* type = call.Param("entityTypeId");
  if (type == nullptr) {
    return Fail(400, "100", "Could not find value for parameter {entityTypeId}");
  }
  const long id = AsId(type);
  if (const EntityKind* kind = KindByTypeId(id)) return kind;
  if (id >= 128 && id < 192) return Fail(400, "NOT_FOUND", "Smart process not found");
  return Fail(400, "ENTITY_TYPE_NOT_SUPPORTED",
              "Entity type " + std::to_string(id) + " is not supported");
}

tl::expected<long, RestError> IdOf(const Call& call) {
  const json* id = call.Param("id");
  if (id == nullptr) return Fail(400, "100", "Could not find value for parameter {id}");
  const long value = AsId(id);
  if (value == 0) {
    return Fail(400, "100",
                "Invalid value " + (id->is_string() ? id->get<std::string>() : id->dump()) +
                    " to match with parameter {id}. Should be value of type int.");
  }
  return value;
}

json FieldsParam(const Call& call) {
  const json* fields = call.Param("fields");
  return fields != nullptr && fields->is_object() ? *fields : json::object();
}

MethodResult ItemReply(const Call& call, const EntityKind& kind, long id) {
  json* row = FindEntity(call.portal, kind, id);
  return Reply{{{"item", RenderItem(call.portal, kind, *row)}}, {}, {}};
}

MethodResult Add(Call& call) {
  auto kind = KindOf(call);
  if (!kind) return tl::unexpected(kind.error());
  auto input = ReadInput(call, **kind, FieldsParam(call), Dialect::kItem);
  if (!input) return tl::unexpected(input.error());
  auto id = CreateEntity(call, **kind, std::move(*input));
  if (!id) return tl::unexpected(id.error());
  return ItemReply(call, **kind, *id);
}

MethodResult Get(Call& call) {
  auto kind = KindOf(call);
  if (!kind) return tl::unexpected(kind.error());
  auto id = IdOf(call);
  if (!id) return tl::unexpected(id.error());
  if (FindEntity(call.portal, **kind, *id) == nullptr) {
    return Fail(400, "NOT_FOUND", "Element not found");
  }
  return ItemReply(call, **kind, *id);
}

MethodResult Update(Call& call) {
  auto kind = KindOf(call);
  if (!kind) return tl::unexpected(kind.error());
  auto id = IdOf(call);
  if (!id) return tl::unexpected(id.error());
  json* row = FindEntity(call.portal, **kind, *id);
  if (row == nullptr) return Fail(400, "NOT_FOUND", "Element not found");
  const json fields = FieldsParam(call);
  auto input = ReadInput(call, **kind, fields, Dialect::kItem);
  if (!input) return tl::unexpected(input.error());
  if ((*kind)->type_id == 2 && input->contains("CATEGORY_ID") &&
      (*input)["CATEGORY_ID"].is_number() &&
      (*input)["CATEGORY_ID"].get<long>() != (*row)["CATEGORY_ID"].get<long>()) {
    const std::string stage =
        input->value("STAGE_ID", json("")).is_string() ? input->value("STAGE_ID", "") : "";
    auto moved = MoveDealToCategory(call, *row, (*input)["CATEGORY_ID"].get<long>(), stage);
    if (!moved) return tl::unexpected(moved.error());
    input->erase("STAGE_ID");
  }
  input->erase("CATEGORY_ID");
  if (!input->empty()) {
    auto changed = UpdateEntity(call, **kind, *id, std::move(*input), Dialect::kItem);
    if (!changed) return tl::unexpected(changed.error());
  }
  return ItemReply(call, **kind, *id);
}

MethodResult Delete(Call& call) {
  auto kind = KindOf(call);
  if (!kind) return tl::unexpected(kind.error());
  auto id = IdOf(call);
  if (!id) return tl::unexpected(id.error());
  if (FindEntity(call.portal, **kind, *id) == nullptr) {
    return Fail(400, "NOT_FOUND", "Element not found");
  }
  auto done = DeleteEntity(call, **kind, *id);
  if (!done) return tl::unexpected(done.error());
  return Reply{json::array(), {}, {}};
}

MethodResult List(Call& call) {
  auto kind = KindOf(call);
  if (!kind) return tl::unexpected(kind.error());
  return ListEntities(call, **kind, Dialect::kItem);
}

MethodResult Fields(Call& call) {
  auto kind = KindOf(call);
  if (!kind) return tl::unexpected(kind.error());
  return Reply{{{"fields", DescribeFields(call.portal, **kind, Dialect::kItem)}}, {}, {}};
}

}  // namespace

void RegisterItemMethods(MethodTable& t) {
  t["crm.item.add"] = {"crm", Add};
  t["crm.item.get"] = {"crm", Get};
  t["crm.item.update"] = {"crm", Update};
  t["crm.item.delete"] = {"crm", Delete};
  t["crm.item.list"] = {"crm", List};
  t["crm.item.fields"] = {"crm", Fields};
}

}  // namespace emu
