// Every stable cert.* code of the uplink identity's lifecycle (docs/certificates.md has a line for
// each): renewal and provisioning steps, certificate reply checks and CRL updates.
#pragma once

#include <array>
#include <string_view>

namespace lintel::identity::reason {

// The certificate reply: not JSON / not our schema; the signer said no; no reply in time.
inline constexpr std::string_view bad_reply = "cert.bad_reply";
inline constexpr std::string_view signer_refused = "cert.signer_refused";
inline constexpr std::string_view timeout = "cert.timeout";
// The issued certificate itself.
inline constexpr std::string_view bad_certificate = "cert.bad_certificate";
inline constexpr std::string_view untrusted = "cert.untrusted";
inline constexpr std::string_view key_mismatch = "cert.key_mismatch";
inline constexpr std::string_view wrong_cn = "cert.wrong_cn";
inline constexpr std::string_view not_yet_valid = "cert.not_yet_valid";
inline constexpr std::string_view expired = "cert.expired";
inline constexpr std::string_view shorter_validity = "cert.shorter_validity";
// The switch: the broker did not accept the new identity in time, the old one is back.
inline constexpr std::string_view rolled_back = "cert.rolled_back";
// Another renewal is under way.
inline constexpr std::string_view busy = "cert.busy";
// Local failures: key generation / CSR, the identity directory.
inline constexpr std::string_view key_failed = "cert.key_failed";
inline constexpr std::string_view store_failed = "cert.store_failed";
// renew-certificate / set-crl on a gateway whose identity directory could not be opened.
inline constexpr std::string_view disabled = "cert.disabled";
// set-crl.
inline constexpr std::string_view crl_invalid = "cert.crl_invalid";
inline constexpr std::string_view crl_untrusted = "cert.crl_untrusted";
inline constexpr std::string_view crl_older = "cert.crl_older";
inline constexpr std::string_view crl_expired = "cert.crl_expired";
inline constexpr std::string_view crl_not_yet_valid = "cert.crl_not_yet_valid";

inline constexpr std::array all{bad_reply,  signer_refused,   timeout,           bad_certificate,
                                untrusted,  key_mismatch,     wrong_cn,          not_yet_valid,
                                expired,    shorter_validity, rolled_back,       busy,
                                key_failed, store_failed,     crl_invalid,       crl_untrusted,
                                crl_older,  crl_expired,      crl_not_yet_valid, disabled};

}  // namespace lintel::identity::reason
