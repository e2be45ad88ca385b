// Every stable code of signed cloud commands in one place: the refusal reasons that go into a
// result's "reason" (and the audit log), and the local errors of keys and certificates.
#pragma once

#include <array>
#include <string_view>

namespace lintel::commands {

// Wire reasons (docs/commands.md has a line for each). The cloud branches on them: never change
// the meaning of one, only add.
namespace reason {
inline constexpr std::string_view too_large = "cmd.too_large";
inline constexpr std::string_view malformed = "cmd.malformed";
inline constexpr std::string_view unsupported_alg = "cmd.unsupported_alg";
inline constexpr std::string_view wrong_gateway = "cmd.wrong_gateway";
inline constexpr std::string_view unknown_key = "cmd.unknown_key";
inline constexpr std::string_view revoked_key = "cmd.revoked_key";
inline constexpr std::string_view bad_signature = "cmd.bad_signature";
inline constexpr std::string_view stale = "cmd.stale";
inline constexpr std::string_view future = "cmd.future";
inline constexpr std::string_view expired = "cmd.expired";
inline constexpr std::string_view clock_unsynced = "cmd.clock_unsynced";
inline constexpr std::string_view replayed = "cmd.replayed";
inline constexpr std::string_view unauthorised = "cmd.unauthorised";
inline constexpr std::string_view not_writable = "cmd.not_writable";
inline constexpr std::string_view out_of_range = "cmd.out_of_range";
inline constexpr std::string_view rate_limited = "cmd.rate_limited";
inline constexpr std::string_view shunned = "cmd.shunned";
inline constexpr std::string_view bad_args = "cmd.bad_args";
inline constexpr std::string_view failed = "cmd.failed";
// apply-config: the candidate does not validate (or would lock the cloud out); another
// apply-config is still being confirmed; the new config failed its trial and was rolled back.
inline constexpr std::string_view bad_config = "cmd.bad_config";
inline constexpr std::string_view busy = "cmd.busy";
inline constexpr std::string_view rolled_back = "cmd.rolled_back";

inline constexpr std::array all{too_large,    malformed,    unsupported_alg, wrong_gateway,
                                unknown_key,  revoked_key,  bad_signature,   stale,
                                future,       expired,      clock_unsynced,  replayed,
                                unauthorised, not_writable, out_of_range,    rate_limited,
                                shunned,      bad_args,     failed,          bad_config,
                                busy,         rolled_back};
}  // namespace reason

// Local errors: loading keys and certificates, signing. They never go on the wire.
namespace error {
inline constexpr std::string_view key_unreadable = "commands.key_unreadable";  // open/read failed
inline constexpr std::string_view key_insecure = "commands.key_insecure";      // file mode too open
inline constexpr std::string_view key_invalid = "commands.key_invalid";        // not a usable key
inline constexpr std::string_view key_unsupported = "commands.key_unsupported";  // wrong type/size
inline constexpr std::string_view cert_invalid = "commands.cert_invalid";
inline constexpr std::string_view cert_untrusted = "commands.cert_untrusted";  // chain or dates
inline constexpr std::string_view file_exists = "commands.file_exists";  // refusing to overwrite
inline constexpr std::string_view io = "commands.io";
inline constexpr std::string_view crypto = "commands.crypto";  // OpenSSL failed unexpectedly
inline constexpr std::string_view bad_input =
    "commands.bad_input";  // a field we were asked to sign
}  // namespace error

}  // namespace lintel::commands
