// The response envelope the local socket protocols share (lintel-helper, the control socket):
// {"v":1,"ok":true,"result":{...}} or {"v":1,"ok":false,"error":{"code":"...","message":"..."}}.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lintel/error.hpp"

namespace lintel::common {

// One line, newline-terminated; invalid UTF-8 in the message is replaced, never thrown on.
std::string serialise_error_line(const Error& error);

// The result object of an ok response, or the error it carries. A response that does not have
// this shape is an error with `bad_code` and a message starting with `subject`. Extra keys are
// tolerated: a newer server may add fields an older client does not know.
Expected<nlohmann::json> unwrap_response(nlohmann::json response, std::string_view subject,
                                         std::string_view bad_code);

}  // namespace lintel::common
