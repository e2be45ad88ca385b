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

inline constexpr std::array all{
    malformed,     unsupported_alg,   unknown_key, revoked_key, bad_signature,       expired,
    wrong_target,  already_installed, downgrade,   below_floor, handler_not_allowed, too_large,
    size_mismatch, hash_mismatch,     io};
}  // namespace reason

// Local errors: never on the wire.
namespace error {
// A manifest we were asked to build or sign would be refused by a gateway (lintel-sign).
inline constexpr std::string_view bad_input = "ota.bad_input";
}  // namespace error

}  // namespace lintel::ota
