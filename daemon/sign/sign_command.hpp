// lintel-sign command: one signed command, ready for mosquitto_pub.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lintel/error.hpp"

namespace lintel::sign {

struct CommandOptions {
    std::filesystem::path key;  // private key PEM (mode 0600)
    std::string kid;
    std::string gateway;
    std::string action;
    std::string args = "{}";  // JSON object
    // "NAME=PATH": args.NAME becomes the text of PATH (apply-config's content, say), so that
    // nobody has to JSON-escape a YAML file by hand.
    std::vector<std::string> arg_files;
    std::string ttl = "60s";
    std::optional<std::string> id;             // default: 128 random bits as hex
    std::optional<std::int64_t> issued_at_ms;  // default: `now`
};

// The JWS text plus "\n". Usage mistakes (bad --args, --ttl, ids) have code sign.usage or
// commands.bad_input; key problems keep the key loader's code.
Expected<std::string> sign_command(const CommandOptions& options,
                                   std::chrono::system_clock::time_point now);

}  // namespace lintel::sign
