// The result a gateway publishes for each command it received: a JWS (typ lintel-result+jws)
// signed with the gateway's TLS key, kid = gateway id, so the cloud verifies it with the
// gateway's certificate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "commands/jws.hpp"
#include "commands/keys.hpp"
#include "lintel/error.hpp"

namespace lintel::commands {

inline constexpr int k_result_version = 1;
// "output" itself is level 1 when it is an object or array.
inline constexpr int k_max_output_depth = 16;

enum class ResultStatus { ok, rejected, failed };
std::string_view to_string(ResultStatus status);  // "ok", "rejected", "failed"

struct CommandResult {
    std::optional<std::string> id;  // nullopt when the command could not be parsed
    std::string gateway;            // this gateway's id (also the JWS kid)
    ResultStatus status = ResultStatus::ok;
    // A reason code (reason_codes.hpp): none for ok, required for rejected and failed.
    std::optional<std::string> reason;
    nlohmann::json output;   // any JSON (null when there is nothing to say)
    std::int64_t ts_ms = 0;  // Unix ms when the result was made
};

// {"v":1,"id":...,"gateway":...,"status":...,"reason":...,"output":...,"ts":...}, compact.
// Refuses (commands.bad_input) a result parse_result would refuse. Invalid UTF-8 in output
// strings (say, a device's bytes) is replaced with U+FFFD rather than failing the result.
Expected<std::string> result_payload(const CommandResult& result);

// result_payload + make_jws(JwsType::result, result.gateway, ...): EdDSA, ES256 or RS256 by the
// key's type.
Expected<std::string> sign_result(const CommandResult& result, const PrivateKey& gateway_key);

// The payload of a parsed result JWS (cloud side: lintel-sign verify-result). Strict like
// parse_command; errors are cmd.malformed with the field's path.
Expected<CommandResult> parse_result(const Jws& jws);

}  // namespace lintel::commands
