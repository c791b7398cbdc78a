// The demo company of DOMAIN.md on a portal: three departments (call center, sales,
// production) and their people — 3 operators, 4 sales managers of whom one is absent, 3
// production staff. Created through the control API, or found again by department name.
// Thread-safety: as PortalClient.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "emulator/day/portal_client.h"

namespace day {

inline constexpr const char* kHuntersDepartment = "Колл-центр";
inline constexpr const char* kClosersDepartment = "Отдел продаж";
inline constexpr const char* kProductionDepartment = "Производство";

struct Person {
  long id = 0;
  std::string name;  // "Анна Охотникова"
};

struct Company {
  long hunters_department = 0;
  long closers_department = 0;
  long production_department = 0;
  std::vector<Person> hunters;
  std::vector<Person> closers;
  std::vector<Person> production;
  std::set<long> absent;  // not at work today (their work day stays closed)

  // The person with this id in any department; null when nobody.
  const Person* Find(long id) const;
};

// Creates the departments and people, opens the work day of those at work. Fails with the
// control API's complaint.
[[nodiscard]] Result<Company> CreateCompany(PortalClient& portal);

// Finds the company's departments by name and their people; absent are those offline now.
// Fails when a department is missing (run `b24-day company` first).
[[nodiscard]] Result<Company> FindCompany(PortalClient& portal);

// {"departments":{"hunters":ID,...},"users":{"hunters":[ids],...}}
json CompanyJson(const Company& company);

}  // namespace day
