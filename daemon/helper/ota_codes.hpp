// Error codes of lintel-helper's OTA actions, raised before a handler runs (the handlers' own
// codes are in lintel/update_handler.hpp). Stable: documented in docs/helper.md.
#pragma once

#include <string_view>

namespace lintel::helper::ota_codes {

// No loaded handler plugin declares the requested handler name.
inline constexpr std::string_view unknown_handler = "ota.unknown_handler";
// A plugin file or the plugin directory could be written by someone other than root.
inline constexpr std::string_view plugin_untrusted = "ota.plugin_untrusted";
// A plugin built for another update-handler SDK version.
inline constexpr std::string_view plugin_sdk_mismatch = "ota.plugin_sdk_mismatch";
// Not a loadable handler plugin: dlopen failed, no entry symbol, a driver symbol too, bad info.
inline constexpr std::string_view plugin_invalid = "ota.plugin_invalid";
// An artifact path outside the staging directory, through a symlink, or not a regular file.
inline constexpr std::string_view unsafe_artifact = "ota.unsafe_artifact";
// An artifact whose size or SHA-256 is not the one the request names.
inline constexpr std::string_view artifact_hash_mismatch = "ota.hash_mismatch";
// Another request is working with the same handler right now.
inline constexpr std::string_view busy = "ota.busy";
// ota-install: the request's handler, component, version, params or artifacts (name, sha256,
// size) are not exactly those of the signed manifest it carries.
inline constexpr std::string_view manifest_mismatch = "ota.manifest_mismatch";
// ota-install: lintel.yaml (gateway.id, the ota: section, a release key file) cannot be used to
// verify the manifest; the message names the file, line and key.
inline constexpr std::string_view bad_config = "ota.bad_config";

}  // namespace lintel::helper::ota_codes
