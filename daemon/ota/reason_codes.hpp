// Every ota.* reason in one place: what an update's refusal or failure says in results, events
// and the audit log (docs/ota.md has a line for each). The cloud branches on them: never change
// the meaning of one, only add.
#pragma once

#include <string_view>

namespace lintel::ota::reason {

// Lifecycle (the OTA service).
inline constexpr std::string_view busy = "ota.busy";                        // another update runs
inline constexpr std::string_view not_abortable = "ota.not_abortable";      // installing, or idle
inline constexpr std::string_view aborted = "ota.aborted";                  // the emergency stop
inline constexpr std::string_view store = "ota.store";                      // ota.db unwritable
inline constexpr std::string_view download_failed = "ota.download_failed";  // transient
inline constexpr std::string_view install_failed = "ota.install_failed";
inline constexpr std::string_view reboot_failed = "ota.reboot_failed";
inline constexpr std::string_view health_failed = "ota.health_failed";
inline constexpr std::string_view rollback_failed = "ota.rollback_failed";
inline constexpr std::string_view rolled_back = "ota.rolled_back";

}  // namespace lintel::ota::reason
