// The shared response envelope: serialising errors, unwrapping responses.
#include "common/response_envelope.hpp"

namespace lintel::common {

using nlohmann::json;

std::string serialise_error_line(const Error& error) {
    nlohmann::ordered_json response;
    response["v"] = 1;
    response["ok"] = false;
    response["error"] = {{"code", error.code}, {"message", error.message}};
    return response.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

Expected<json> unwrap_response(json response, std::string_view subject, std::string_view bad_code) {
    auto bad = [&](const std::string& why) {
        return make_error(std::string(bad_code), std::string(subject) + " " + why);
    };
    if (!response.is_object()) return bad("is not a JSON object");
    auto v = response.find("v");
    if (v == response.end() || !v->is_number_integer() || v->get<std::int64_t>() != 1) {
        return bad("does not have \"v\": 1");
    }
    auto ok = response.find("ok");
    if (ok == response.end() || !ok->is_boolean()) return bad("has no boolean \"ok\"");
    if (ok->get<bool>()) {
        auto result = response.find("result");
        if (result == response.end() || !result->is_object()) {
            return bad("is ok but has no \"result\" object");
        }
        return std::move(*result);
    }
    auto error = response.find("error");
    if (error == response.end() || !error->is_object()) return bad("has no \"error\" object");
    auto code = error->find("code");
    auto message = error->find("message");
    if (code == error->end() || !code->is_string() || message == error->end() ||
        !message->is_string()) {
        return bad("has an \"error\" without string \"code\" and \"message\"");
    }
    return make_error(code->get<std::string>(), message->get<std::string>());
}

}  // namespace lintel::common
