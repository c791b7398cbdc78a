// bitrix24-manifest.json and install/conveyor.json, compiled into the binary so that the
// server always runs with the declaration it was built with.
#pragma once

namespace app {

extern const char* const kManifestJson;
extern const char* const kInstallSpecJson;

}  // namespace app
