#include "handlers/install.h"

#include "handlers/reply.h"
#include "lib/core/payloads.h"

namespace handlers {
namespace {

// The page a browser runs inside Bitrix24: it tells the portal the installation is finished,
// and the portal then opens the app page, which starts on "Set up the conveyor" while anything
// is missing (issue 16, item 1). The text says what comes next, in the portal's language.
std::string FinishedPage(const std::string& lang) {
  const bool ru = lang != "en";
  return std::string("<!doctype html><html lang=\"") + (ru ? "ru" : "en") +
         "\"><head><meta charset=\"utf-8\"><title>Conveyor</title>"
         "<script src=\"//api.bitrix24.com/api/v1/\"></script></head><body><p>" +
         (ru ? "Конвейер установлен. Дальше — «Запуск конвейера»: выберите отделы, сотрудников и "
               "стадии."
             : "Conveyor is installed. Next, “Set up the conveyor”: pick the departments, the "
               "people and the stages.") +
         "</p><script>if (window.BX24) { BX24.init(function () { BX24.installFinish(); }); }"
         "</script></body></html>";
}

// A refusal is JSON like every other; what the admin can act on (the portal or storage failed,
// provisioning was refused) is a page saying so in the installer's frame.
void InstallerError(httplib::Response& res, const core::Error& error) {
  if (error.code != core::ErrorCode::kUnavailable) return ErrorReply(res, error);
  res.status = core::HttpStatus(error.code);
  res.set_header("Cache-Control", "no-store");
  res.set_content("<!doctype html><meta charset=\"utf-8\"><title>Conveyor</title><p>" +
                      EscapeHtml(error.message) + "</p><p>Open the app again to retry.</p>",
                  "text/html; charset=utf-8");
}

}  // namespace

void Installer(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  auto page = core::ParsePageRequest(QueryOf(req), req.body);
  if (!page) return JsonError(res, 400, "invalid_request", page.error().message);
  if (auto installed = deps.installations->FromInstaller(*page); !installed)
    return InstallerError(res, installed.error());
  res.set_header("Cache-Control", "no-store");
  res.set_content(FinishedPage(page->lang), "text/html; charset=utf-8");
}

void InstallEvent(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  auto event = core::ParseEvent(req.body);
  if (!event) return JsonError(res, 400, "invalid_request", event.error().message);
  if (event->name != "ONAPPINSTALL" && event->name != "ONAPPUPDATE") {
    return JsonError(res, 400, "invalid_request", "Expected ONAPPINSTALL or ONAPPUPDATE");
  }
  if (auto installed = deps.installations->FromEvent(*event); !installed)
    return ErrorReply(res, installed.error());
  Json(res, {{"status", "ok"}});
}

}  // namespace handlers
