// lintel-sign verify-result and verify-command.
#include "sign/verify.hpp"

#include <chrono>

#include <nlohmann/json.hpp>

#include "commands/certificate.hpp"
#include "commands/envelope.hpp"
#include "commands/jws.hpp"
#include "commands/reason_codes.hpp"
#include "commands/result.hpp"
#include "commands/strict_json.hpp"
#include "ota/manifest.hpp"
#include "ota/manifest_verifier.hpp"
#include "sign/input.hpp"

namespace lintel::sign {
namespace {

// The payload as the signer wrote it (key order kept), indented. It parsed strictly already.
std::string pretty(const std::string& payload) {
    return nlohmann::ordered_json::parse(payload).dump(2) + "\n";
}

std::unexpected<Error> invalid(const Error& error, const std::string& context) {
    return make_error(error.code, context + ": " + error.message);
}

}  // namespace

Expected<std::string> verify_result(const VerifyResultOptions& options) {
    auto cert = commands::Certificate::from_file(options.cert);
    if (!cert) return std::unexpected(cert.error());
    if (options.ca) {
        if (auto trusted = cert->verify_chain(*options.ca); !trusted) {
            return std::unexpected(trusted.error());
        }
    }
    auto cn = cert->common_name();
    if (!cn) return std::unexpected(cn.error());
    auto text = read_jws_input(options.in, options.max_bytes);
    if (!text) return std::unexpected(text.error());
    const std::string context = "result";
    auto jws = commands::parse_jws(*text, commands::JwsType::result, options.max_bytes);
    if (!jws) return invalid(jws.error(), context);
    if (jws->kid != *cn) {
        return make_error(std::string(commands::reason::unknown_key),
                          "result: kid \"" + commands::printable(jws->kid) +
                              "\" is not the certificate's CN \"" + commands::printable(*cn) +
                              "\" (" + options.cert.string() + ")");
    }
    if (auto verified = commands::verify_jws(*jws, cert->public_key()); !verified) {
        return invalid(verified.error(), context);
    }
    auto result = commands::parse_result(*jws);
    if (!result) return invalid(result.error(), context);
    if (result->gateway != *cn) {
        return make_error(std::string(commands::reason::wrong_gateway),
                          "result: payload.gateway \"" + result->gateway +
                              "\" is not the certificate's CN \"" + commands::printable(*cn) +
                              "\"");
    }
    return pretty(jws->payload);
}

Expected<std::string> verify_command(const VerifyCommandOptions& options) {
    auto key = commands::PublicKey::from_pem_file(options.pub);
    if (!key) return std::unexpected(key.error());
    auto text = read_jws_input(options.in, options.max_bytes);
    if (!text) return std::unexpected(text.error());
    const std::string context = "command";
    auto jws = commands::parse_jws(*text, commands::JwsType::command, options.max_bytes);
    if (!jws) return invalid(jws.error(), context);
    if (auto verified = commands::verify_jws(*jws, *key); !verified) {
        return invalid(verified.error(), context);
    }
    auto command = commands::parse_command(*jws);
    if (!command) return invalid(command.error(), context);
    return pretty(jws->payload);
}

Expected<std::string> verify_manifest(const VerifyManifestOptions& options) {
    auto key = commands::PublicKey::from_pem_file(options.pub);
    if (!key) return std::unexpected(key.error());
    auto text = read_jws_input(options.in, ota::k_max_manifest_bytes);
    if (!text) return std::unexpected(text.error());
    const std::string context = "manifest";
    auto jws = commands::parse_jws(*text, commands::JwsType::manifest, ota::k_max_manifest_bytes);
    if (!jws) return invalid(jws.error(), context);
    const ota::ReleaseKeys keys({ota::ReleaseKey{jws->kid, *key, false}});
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    auto manifest = ota::verify_manifest(*text, keys, now);
    if (!manifest) return invalid(manifest.error(), context);
    return pretty(jws->payload);
}

}  // namespace lintel::sign
