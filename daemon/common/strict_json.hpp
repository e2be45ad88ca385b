// Strict JSON for the local socket protocols: duplicate keys, deep nesting and broken UTF-8 are
// errors, and messages never echo raw peer bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lintel/error.hpp"

namespace lintel::common {

// Parses `text` as one JSON value. Errors have code `error_code` and a message that starts with
// `subject` ("request", "helper response"): not valid JSON (with the byte offset, without the
// peer's bytes), a duplicate key at any depth (two "cmd" keys could mean different things to
// different readers, so neither is picked), or arrays/objects nested deeper than `max_nesting`
// (refused while parsing, so nothing downstream, all recursive in nlohmann, can overflow the
// stack).
Expected<nlohmann::json> parse_strict_json(std::string_view text, std::string_view subject,
                                           std::string_view error_code, int max_nesting);

// What nlohmann's parse error says, without its echo of the peer's bytes:
// "not valid JSON at byte 12: syntax error while parsing value - invalid literal; expected ...".
std::string describe_parse_error(const nlohmann::json::parse_error& error);

// `text` for a message: printable ASCII kept, anything else as '?', cut at `max` bytes with "...".
// Messages may quote what a peer sent; this keeps control characters and broken UTF-8 out of
// responses and log lines.
std::string printable(std::string_view text, std::size_t max = 120);

}  // namespace lintel::common
