#include "handlers/routes.h"

#include "handlers/api.h"
#include "handlers/events.h"
#include "handlers/health.h"
#include "handlers/install.h"
#include "handlers/pages.h"
#include "handlers/reply.h"
#include "handlers/set_up.h"
#include "lib/core/form.h"

namespace handlers {

namespace {

// A route that reads a Bitrix24 form refuses a body over the form limit, whatever its type
// claims to be (cpp-httplib holds url-encoded bodies to 8 KiB itself, other types not).
bool RefuseLargeForm(const httplib::Request& req, httplib::Response& res) {
  if (req.body.size() <= core::FormLimits{}.max_bytes) return false;
  JsonError(res, 413, "payload_too_large", "The request body is too large");
  return true;
}

}  // namespace

void RegisterRoutes(httplib::Server& server, Deps& deps) {
  server.Get("/health", [&deps](const httplib::Request& req, httplib::Response& res) {
    Health(deps, req, res);
  });
  if (deps.portals != nullptr) {  // a bare health server (tests) has no storage
    server.Get("/healthz", [&deps](const httplib::Request& req, httplib::Response& res) {
      Healthz(deps, req, res);
    });
    server.Get("/metrics", [&deps](const httplib::Request& req, httplib::Response& res) {
      Metrics(deps, req, res);
    });
  }
  if (deps.decisions != nullptr && deps.settings != nullptr && deps.settings_store != nullptr) {
    server.Get("/api/portals", [&deps](const httplib::Request& req, httplib::Response& res) {
      Portals(deps, req, res);
    });
    const std::string portal = R"(/api/portals/([A-Za-z0-9_.-]{1,64}))";
    server.Get(portal + "/decisions", [&deps](const httplib::Request& req, httplib::Response& res) {
      Decisions(deps, req, res);
    });
    server.Get(portal + "/settings", [&deps](const httplib::Request& req, httplib::Response& res) {
      GetSettings(deps, req, res);
    });
    if (deps.backfills != nullptr) {
      server.Get(portal + "/backfill",
                 [&deps](const httplib::Request& req, httplib::Response& res) {
                   GetBackfill(deps, req, res);
                 });
      server.Post(portal + "/backfill",
                  [&deps](const httplib::Request& req, httplib::Response& res) {
                    StartBackfill(deps, req, res);
                  });
    }
    if (deps.reports != nullptr) {
      server.Get(portal + "/report", [&deps](const httplib::Request& req, httplib::Response& res) {
        Report(deps, req, res);
      });
      server.Get(portal + R"(/report\.csv)",
                 [&deps](const httplib::Request& req, httplib::Response& res) {
                   ReportCsv(deps, req, res);
                 });
    }
    if (deps.journeys != nullptr) {
      server.Get(portal + "/journey", [&deps](const httplib::Request& req, httplib::Response& res) {
        Journey(deps, req, res);
      });
    }
    if (deps.set_up != nullptr) {
      server.Get(portal + "/setup", [&deps](const httplib::Request& req, httplib::Response& res) {
        GetSetUp(deps, req, res);
      });
      server.Post(portal + "/setup/distribute",
                  [&deps](const httplib::Request& req, httplib::Response& res) {
                    DistributeWaiting(deps, req, res);
                  });
      const auto away = [&deps](const httplib::Request& req, httplib::Response& res) {
        MarkAway(deps, req, res);
      };
      server.Put(portal + R"(/away/(\d{1,12}))", away);
      server.Delete(portal + R"(/away/(\d{1,12}))", away);
    }
    server.Post(portal + "/settings/preview",
                [&deps](const httplib::Request& req, httplib::Response& res) {
                  PreviewSettings(deps, req, res);
                });
    server.Put(portal + "/settings", [&deps](const httplib::Request& req, httplib::Response& res) {
      PutSettings(deps, req, res);
    });
    server.Patch(portal + "/settings",
                 [&deps](const httplib::Request& req, httplib::Response& res) {
                   PatchSettings(deps, req, res);
                 });
  }
  if (deps.sessions != nullptr) {
    const auto page = [&server, &deps](const std::string& path, const char* file) {
      if (path.empty()) return;
      server.Post(path, [&deps, file](const httplib::Request& req, httplib::Response& res) {
        if (!RefuseLargeForm(req, res)) Page(deps, req, res, file);
      });
    };
    page(deps.manifest.app_path, "app.html");
    for (const auto& [code, path] : deps.manifest.placement_paths) page(path, "journey.html");
    server.Get(
        R"(/assets/([A-Za-z0-9_-]{1,64}\.(?:js|css|svg)))",
        [&deps](const httplib::Request& req, httplib::Response& res) { Asset(deps, req, res); });
  }
  const auto& paths = deps.manifest;
  auto post = [&server, &deps](
                  const std::string& path,
                  void (*handler)(Deps&, const httplib::Request&, httplib::Response&)) {
    if (path.empty()) return;  // no manifest: a bare health server (tests)
    server.Post(path, [&deps, handler](const httplib::Request& req, httplib::Response& res) {
      if (!RefuseLargeForm(req, res)) handler(deps, req, res);
    });
    const auto refuse = [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", "POST");
      JsonError(res, 405, "method_not_allowed", "This address takes POST only");
    };
    server.Get(path, refuse);
    server.Put(path, refuse);
    server.Delete(path, refuse);
    server.Patch(path, refuse);
  };
  post(paths.installer_path, Installer);
  post(paths.install_event_path, InstallEvent);
  post(paths.events_path, Event);
  // Anything far bigger than the largest settings is refused before it is read.
  server.set_payload_max_length(kMaxBodyBytes);
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413)
      return JsonError(res, 413, "payload_too_large", "The request body is too large");
    JsonError(res, res.status, res.status == 404 ? "not_found" : "bad_request",
              res.status == 404 ? "No such route" : "The request was refused");
  });
  // Never let an exception text reach the client (cpp-httplib would put e.what() in a header).
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        JsonError(res, 500, "internal", "Internal error");
      });
}

}  // namespace handlers
