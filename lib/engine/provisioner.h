// Makes a portal match Conveyor's install spec and manifest: reads the portal's layout through
// the REST client (batched), plans (lib/core/provision_plan) and applies the plan, in two
// phases because stages need the ids of new pipelines. Running it again changes nothing.
// Thread-safety: stateless; concurrent runs for one portal must be serialised by the caller.
#pragma once

#include <string>
#include <vector>

#include "lib/b24/rest_client.h"
#include "lib/core/provision_plan.h"

namespace engine {

struct ProvisionReport {
  std::vector<core::RestStep> applied;
  std::vector<std::string> failures;  // "method: error" for steps the portal refused
};

b24::Result<core::PortalLayout> ReadLayout(b24::RestClient& client, const std::string& member_id);

b24::Result<ProvisionReport> Provision(b24::RestClient& client, const std::string& member_id,
                                       const core::InstallSpec& spec,
                                       const core::Manifest& manifest,
                                       const std::string& public_url);

}  // namespace engine
