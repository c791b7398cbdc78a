#include "handlers/routes.h"

#include <nlohmann/json.hpp>

#include "handlers/health.h"

namespace handlers {
namespace {

void JsonError(httplib::Response& res, int status, const std::string& error,
               const std::string& description) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", error}, {"error_description", description}}.dump(),
                  "application/json");
}

}  // namespace

void RegisterRoutes(httplib::Server& server, const Deps& deps) {
  server.Get("/health", [&deps](const httplib::Request& req, httplib::Response& res) {
    Health(deps, req, res);
  });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) JsonError(res, res.status, "not_found", "No such route");
  });
  // Never let an exception text reach the client (cpp-httplib would put e.what() in a header).
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        JsonError(res, 500, "internal", "Internal error");
      });
}

}  // namespace handlers
