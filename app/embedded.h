// bitrix24-manifest.json, install/conveyor.json and install/settings.json, compiled into the binary
// so that the server always runs with the declaration it was built with.
#pragma once

namespace app {

extern const char* const kManifestJson;
extern const char* const kInstallSpecJson;
extern const char* const kDefaultSettingsJson;

}  // namespace app
