// The command envelope: the JWS payload of a command, parsed strictly into typed fields.
// Whether it is fresh, for this gateway, signed by a trusted key and allowed is decided by the
// verifier, not here.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "commands/jws.hpp"
#include "commands/keys.hpp"
#include "lintel/error.hpp"

namespace lintel::commands {

inline constexpr int k_command_version = 1;
// "args" itself is level 1; {"a":{"b":[1]}} is 3 levels.
inline constexpr int k_max_args_depth = 16;

struct CommandEnvelope {
    // From the protected header.
    std::string kid;
    JwsAlg alg = JwsAlg::eddsa;
    // From the payload.
    std::string id;                                  // 1-64 of A-Z a-z 0-9 . _ -
    std::int64_t issued_at_ms = 0;                   // Unix ms
    std::int64_t expires_at_ms = 0;                  // Unix ms, > issued_at_ms
    std::string gateway;                             // 1-64 of A-Z a-z 0-9 . _ -
    std::string action;                              // 1-64 of a-z 0-9 -
    nlohmann::json args = nlohmann::json::object();  // an object, nesting <= k_max_args_depth
};

// The payload of a parsed command JWS (jws.type must be JwsType::command). Errors are all
// cmd.malformed, with the field's path: "payload.args: must be an object, got array".
// Rules: UTF-8 JSON object, no duplicate key at any depth, no unknown key, every key present:
// v (the integer 1), id, issued_at and expires_at (integers >= 0, expires_at > issued_at),
// gateway, action, args.
Expected<CommandEnvelope> parse_command(const Jws& jws);

// The payload JSON of `command` (keys in the documented order, compact). Refuses
// (commands.bad_input) what parse_command would refuse.
Expected<std::string> command_payload(const CommandEnvelope& command);

// Payload + make_jws with command.kid, then checks the result with parse_jws, verify_jws and
// parse_command, so what is returned is a command a gateway can accept.
Expected<std::string> sign_command(const CommandEnvelope& command, const PrivateKey& key);

}  // namespace lintel::commands
