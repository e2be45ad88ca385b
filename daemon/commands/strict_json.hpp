// Strict JSON for the command and result payloads and the JWS header: what nlohmann accepts,
// minus duplicate keys, a byte order mark and deep nesting; plus the field checks they share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lintel/error.hpp"

namespace lintel::commands {

// Parses `text`; errors are cmd.malformed with a message that starts with `subject` (e.g.
// "payload") or the path of the offending object ("payload.args.list[2]"). Refuses duplicate
// keys at any depth (two readers could pick different ones), containers nested deeper than
// `max_depth` (the top-level value is level 1; nothing downstream recurses further), invalid
// UTF-8 and a leading BOM.
// `depth_rule` explains the limit in the caller's terms ("payload.args may nest at most 16
// levels"); the message names the path where the limit was crossed.
Expected<nlohmann::json> parse_strict_json(std::string_view text, std::string_view subject,
                                           int max_depth, std::string_view depth_rule);

// Nesting level of `value` (a scalar is 0, {} is 1), counting no further than `limit` + 1.
int json_depth(const nlohmann::json& value, int limit);

// "a, b, c": a list of names for a message ("allowed: ...").
std::string join_names(std::span<const std::string_view> names);

// Printable ASCII only, cut at `max` characters: for quoting untrusted text in messages.
std::string printable(std::string_view text, std::size_t max = 64);

// 1-64 characters of A-Z a-z 0-9 . _ - (command ids, gateway ids, key ids).
bool is_identifier(std::string_view text);
inline constexpr std::string_view k_identifier_rule = "1-64 characters of A-Z a-z 0-9 . _ -";
// 1-64 characters of a-z 0-9 - (action names).
bool is_action_name(std::string_view text);
inline constexpr std::string_view k_action_rule = "1-64 characters of a-z 0-9 -";

// A JSON integer in [0, INT64_MAX]; nullopt for anything else (floats such as 1.0 or 1e3 too).
std::optional<std::int64_t> non_negative_integer(const nlohmann::json& value);

// An error about field `path`: "<path>: <what>".
std::unexpected<Error> field_error(std::string_view path, std::string_view what);

}  // namespace lintel::commands
