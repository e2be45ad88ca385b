// Every stable code of OTA updates in one place: the reasons an update is refused (they go into
// the update's report to the cloud and the audit log) and the local errors of building one.
#pragma once

#include <array>
#include <string_view>

namespace lintel::ota {

// Wire reasons (docs/ota.md has a line for each). The cloud branches on them: never change the
// meaning of one, only add.
namespace reason {
// The manifest itself: verify_manifest (manifest_verifier.hpp).
inline constexpr std::string_view malformed = "ota.malformed";
inline constexpr std::string_view unsupported_alg = "ota.unsupported_alg";
inline constexpr std::string_view unknown_key = "ota.unknown_key";
inline constexpr std::string_view revoked_key = "ota.revoked_key";
inline constexpr std::string_view bad_signature = "ota.bad_signature";
inline constexpr std::string_view expired = "ota.expired";
// Whether it applies to this gateway now: check_applicable.
inline constexpr std::string_view wrong_target = "ota.wrong_target";
inline constexpr std::string_view already_installed = "ota.already_installed";
inline constexpr std::string_view downgrade = "ota.downgrade";
inline constexpr std::string_view below_floor = "ota.below_floor";
inline constexpr std::string_view handler_not_allowed = "ota.handler_not_allowed";
inline constexpr std::string_view too_large = "ota.too_large";
// The downloaded artifact: check_artifact_file (artifact_check.hpp).
inline constexpr std::string_view size_mismatch = "ota.size_mismatch";
inline constexpr std::string_view hash_mismatch = "ota.hash_mismatch";
inline constexpr std::string_view io = "ota.io";
// The lifecycle: OtaService (ota_service.hpp) and the ota-* commands.
inline constexpr std::string_view disabled = "ota.disabled";            // OTA is off
inline constexpr std::string_view busy = "ota.busy";                    // another update runs
inline constexpr std::string_view not_abortable = "ota.not_abortable";  // installing, or idle
inline constexpr std::string_view aborted = "ota.aborted";              // the emergency stop
inline constexpr std::string_view store = "ota.store";                  // ota.db unwritable
inline constexpr std::string_view download_failed = "ota.download_failed";
// The artifact download (download.hpp): final, not retried.
// The server's answer will not change by asking again (a 4xx, a redirect, a shorter file) or the
// manifest's URL is unusable.
inline constexpr std::string_view download_refused = "ota.download_refused";
inline constexpr std::string_view no_space = "ota.no_space";  // staging directory too full
inline constexpr std::string_view tls = "ota.tls";  // the artifact server's certificate not trusted
inline constexpr std::string_view install_failed = "ota.install_failed";
inline constexpr std::string_view reboot_failed = "ota.reboot_failed";
inline constexpr std::string_view health_failed = "ota.health_failed";
inline constexpr std::string_view rollback_failed = "ota.rollback_failed";
inline constexpr std::string_view rolled_back = "ota.rolled_back";

inline constexpr std::array all{malformed,
                                unsupported_alg,
                                unknown_key,
                                revoked_key,
                                bad_signature,
                                expired,
                                wrong_target,
                                already_installed,
                                downgrade,
                                below_floor,
                                handler_not_allowed,
                                too_large,
                                size_mismatch,
                                hash_mismatch,
                                io,
                                disabled,
                                busy,
                                not_abortable,
                                aborted,
                                store,
                                download_failed,
                                download_refused,
                                no_space,
                                tls,
                                install_failed,
                                reboot_failed,
                                health_failed,
                                rollback_failed,
                                rolled_back};
}  // namespace reason

// Local errors: never on the wire.
namespace error {
// A manifest we were asked to build or sign would be refused by a gateway (lintel-sign).
inline constexpr std::string_view bad_input = "ota.bad_input";
}  // namespace error

}  // namespace lintel::ota
