// libFuzzer target: arbitrary bytes as a command (and as a result) JWS must give a typed value
// or a refusal with a known code, never a crash, hang, leak or sanitizer report. Whatever is
// accepted must survive a round trip through our own builders.
//
// The seed corpus was signed by two throwaway keys whose public halves are below (their private
// halves were deleted), so the valid seeds reach verification and pass it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "commands/base64url.hpp"
#include "commands/envelope.hpp"
#include "commands/jws.hpp"
#include "commands/reason_codes.hpp"
#include "commands/result.hpp"
#include "commands/strict_json.hpp"

namespace {

using namespace lintel::commands;

constexpr std::string_view k_ed25519_pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEA0e5F85NSRNDY5JGNK4pRoAa5scPtwT07Nk6qs0+SEkw=\n"
    "-----END PUBLIC KEY-----\n";
constexpr std::string_view k_p256_pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEezQhaTeju4na+zGObURsinGiy9L7\n"
    "p+fCRz0fCk2REJ+zu9eFJQq4RtAn99iBhhG82/19KJW14dKeX4ZobYY+BA==\n"
    "-----END PUBLIC KEY-----\n";

const PublicKey& key(std::string_view pem) {
    static const PublicKey ed = PublicKey::from_pem(k_ed25519_pem).value();
    static const PublicKey p256 = PublicKey::from_pem(k_p256_pem).value();
    return pem == k_ed25519_pem ? ed : p256;
}

void check(bool condition) {
    if (!condition) std::abort();
}

bool is_refusal(const lintel::Error& error) {
    return error.code == reason::too_large || error.code == reason::malformed ||
           error.code == reason::unsupported_alg || error.code == reason::bad_signature;
}

// Strict base64url has exactly one encoding per byte string.
void base64url_is_canonical(std::string_view text) {
    auto decoded = base64url_decode(text);
    if (decoded) {
        check(base64url_encode(*decoded) == text);
    } else {
        check(decoded.error().code == reason::malformed);
    }
}

void command(const Jws& jws) {
    auto parsed = parse_command(jws);
    if (!parsed) {
        check(parsed.error().code == reason::malformed);
        return;
    }
    check(is_identifier(parsed->id) && is_identifier(parsed->gateway));
    check(is_action_name(parsed->action) && parsed->args.is_object());
    check(parsed->expires_at_ms > parsed->issued_at_ms && parsed->issued_at_ms >= 0);
    // What the gateway accepts, lintel-sign can produce again, with the same meaning.
    auto payload = command_payload(*parsed);
    check(payload.has_value());
    Jws again = jws;
    again.payload = *payload;
    auto reparsed = parse_command(again);
    check(reparsed && reparsed->id == parsed->id && reparsed->args == parsed->args &&
          reparsed->expires_at_ms == parsed->expires_at_ms);
}

void result(const Jws& jws) {
    auto parsed = parse_result(jws);
    if (!parsed) {
        check(parsed.error().code == reason::malformed);
        return;
    }
    auto payload = result_payload(*parsed);
    check(payload.has_value());
    Jws again = jws;
    again.payload = *payload;
    auto reparsed = parse_result(again);
    check(reparsed && reparsed->output == parsed->output && reparsed->status == parsed->status);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    base64url_is_canonical(text.substr(0, 4096));

    for (JwsType type : {JwsType::command, JwsType::result}) {
        auto jws = parse_jws(text, type);
        if (!jws) {
            check(is_refusal(jws.error()));
            continue;
        }
        // The signed bytes are exactly the text's first two parts.
        check(text.starts_with(jws->signing_input) && text[jws->signing_input.size()] == '.');
        check(jws->header.size() == 3 && alg_allowed(type, jws->alg) && is_identifier(jws->kid));
        for (auto pem : {k_ed25519_pem, k_p256_pem}) {
            auto verified = verify_jws(*jws, key(pem));
            if (!verified) check(is_refusal(verified.error()));
        }
        if (type == JwsType::command) {
            command(*jws);
        } else {
            result(*jws);
        }
    }
    return 0;
}
