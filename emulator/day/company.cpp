#include "emulator/day/company.h"

#include "emulator/day/rows.h"

namespace day {
namespace {

struct Hire {
  const char* name;
  const char* last_name;
  const char* position;
  bool present;
};

const Hire kHunters[] = {{"Анна", "Охотникова", "Оператор", true},
                         {"Борис", "Звонарёв", "Оператор", true},
                         {"Вера", "Линейная", "Оператор", true}};
const Hire kClosers[] = {{"Григорий", "Продажин", "Менеджер по продажам", true},
                         {"Дарья", "Сделкина", "Менеджер по продажам", true},
                         {"Евгений", "Договоров", "Менеджер по продажам", true},
                         {"Жанна", "Отпускная", "Менеджер по продажам", false}};
const Hire kMasters[] = {{"Захар", "Мастеров", "Мастер", true},
                         {"Ирина", "Технологова", "Технолог", true},
                         {"Кирилл", "Отгрузкин", "Начальник производства", true}};

Result<long> AddDepartment(PortalClient& portal, const char* name) {
  auto answer = portal.Post("departments", {{"NAME", name}});
  if (!answer) return tl::unexpected(answer.error());
  return IdOf(answer->value("ID", json()));
}

template <size_t N>
Result<std::vector<Person>> HireAll(PortalClient& portal, long department, const Hire (&hires)[N],
                                    std::set<long>& absent) {
  std::vector<Person> people;
  for (const auto& hire : hires) {
    auto user = portal.Post("users", {{"NAME", hire.name},
                                      {"LAST_NAME", hire.last_name},
                                      {"UF_DEPARTMENT", {department}},
                                      {"WORK_POSITION", hire.position}});
    if (!user) return tl::unexpected(user.error());
    const long id = IdOf(user->value("ID", json()));
    auto presence = portal.Post("presence", {{"user_id", id},
                                             {"status", hire.present ? "OPENED" : "CLOSED"},
                                             {"online", hire.present}});
    if (!presence) return tl::unexpected(presence.error());
    if (!hire.present) absent.insert(id);
    people.push_back({id, std::string(hire.name) + " " + hire.last_name});
  }
  return people;
}

}  // namespace

const Person* Company::Find(long id) const {
  for (const auto* group : {&hunters, &closers, &production}) {
    for (const auto& person : *group) {
      if (person.id == id) return &person;
    }
  }
  return nullptr;
}

Result<Company> CreateCompany(PortalClient& portal) {
  Company company;
  for (auto [department, name] :
       {std::make_pair(&company.hunters_department, kHuntersDepartment),
        std::make_pair(&company.closers_department, kClosersDepartment),
        std::make_pair(&company.production_department, kProductionDepartment)}) {
    auto id = AddDepartment(portal, name);
    if (!id) return tl::unexpected(id.error());
    *department = *id;
  }
  auto hunters = HireAll(portal, company.hunters_department, kHunters, company.absent);
  if (!hunters) return tl::unexpected(hunters.error());
  auto closers = HireAll(portal, company.closers_department, kClosers, company.absent);
  if (!closers) return tl::unexpected(closers.error());
  auto masters = HireAll(portal, company.production_department, kMasters, company.absent);
  if (!masters) return tl::unexpected(masters.error());
  company.hunters = *hunters;
  company.closers = *closers;
  company.production = *masters;
  return company;
}

Result<Company> FindCompany(PortalClient& portal) {
  auto departments = portal.Section("departments");
  if (!departments) return tl::unexpected(departments.error());
  auto users = portal.Section("users");
  if (!users) return tl::unexpected(users.error());
  Company company;
  for (auto [department, name] :
       {std::make_pair(&company.hunters_department, kHuntersDepartment),
        std::make_pair(&company.closers_department, kClosersDepartment),
        std::make_pair(&company.production_department, kProductionDepartment)}) {
    for (const auto& row : *departments) {
      if (row.value("NAME", std::string()) == name) {
        *department = IdOf(row.value("ID", json()));
        break;  // the first of that name, as the company command made it
      }
    }
    if (*department == 0) {
      return tl::unexpected(Failure{false, std::string("the portal has no department «") + name +
                                               "»: run `b24-day company` first"});
    }
  }
  for (const auto& user : *users) {
    if (user.value("ACTIVE", true) == false) continue;
    const long id = IdOf(user.value("ID", json()));
    const Person person{
        id, user.value("NAME", std::string()) + " " + user.value("LAST_NAME", std::string())};
    for (const auto& department : user.value("UF_DEPARTMENT", json::array())) {
      const long d = IdOf(department);
      if (d == company.hunters_department) company.hunters.push_back(person);
      if (d == company.closers_department) company.closers.push_back(person);
      if (d == company.production_department) company.production.push_back(person);
    }
    if (user.value("IS_ONLINE", std::string("N")) != "Y") company.absent.insert(id);
  }
  return company;
}

json CompanyJson(const Company& company) {
  auto ids = [](const std::vector<Person>& people) {
    json out = json::array();
    for (const auto& p : people) out.push_back(p.id);
    return out;
  };
  return {{"departments",
           {{"hunters", company.hunters_department},
            {"closers", company.closers_department},
            {"production", company.production_department}}},
          {"users",
           {{"hunters", ids(company.hunters)},
            {"closers", ids(company.closers)},
            {"production", ids(company.production)}}}};
}

}  // namespace day
