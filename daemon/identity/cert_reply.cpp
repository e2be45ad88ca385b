// JSON of the CSR exchange: the request we publish and the strict parser of the signer's reply.
#include "identity/cert_reply.hpp"

#include <nlohmann/json.hpp>

#include "common/strict_json.hpp"
#include "identity/reason_codes.hpp"

namespace lintel::identity {

namespace {

constexpr std::size_t k_max_error_bytes = 512;
constexpr std::size_t k_max_request_id = 64;

std::unexpected<Error> bad(std::string message) {
    return std::unexpected(Error{std::string(reason::bad_reply), std::move(message)});
}

bool lower_hex(std::string_view s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

}  // namespace

std::string csr_request_json(const CsrRequest& request) {
    nlohmann::ordered_json j;
    j["request_id"] = request.request_id;
    j["gateway"] = request.gateway;
    j["reason"] = request.reason;
    j["csr"] = request.csr_pem;
    return j.dump();
}

Expected<CertReply> parse_cert_reply(std::string_view payload) {
    if (payload.size() > k_max_reply_bytes) {
        return bad("certificate reply of " + std::to_string(payload.size()) +
                   " bytes exceeds the limit of " + std::to_string(k_max_reply_bytes));
    }
    auto parsed = common::parse_strict_json(payload, "certificate reply", reason::bad_reply, 4);
    if (!parsed) return std::unexpected(parsed.error());
    const nlohmann::json& j = *parsed;
    if (!j.is_object()) return bad("certificate reply is not a JSON object");
    CertReply reply;
    for (const auto& [key, value] : j.items()) {
        if (key == "request_id") {
            if (!value.is_string()) return bad("request_id must be a string");
            reply.request_id = value.get<std::string>();
        } else if (key == "certificate") {
            if (!value.is_string()) return bad("certificate must be a PEM string");
            reply.certificate_pem = value.get<std::string>();
        } else if (key == "error") {
            if (!value.is_string()) return bad("error must be a string");
            reply.error = value.get<std::string>();
        } else {
            return bad("unknown key \"" + common::printable(key, 40) + "\" in certificate reply");
        }
    }
    if (reply.request_id.empty() || reply.request_id.size() > k_max_request_id ||
        !lower_hex(reply.request_id)) {
        return bad("request_id must be 1.." + std::to_string(k_max_request_id) +
                   " lower-case hex characters");
    }
    if (reply.certificate_pem.has_value() == reply.error.has_value())
        return bad("certificate reply must carry exactly one of certificate and error");
    if (reply.certificate_pem && (reply.certificate_pem->empty() ||
                                  reply.certificate_pem->size() > k_max_certificate_bytes)) {
        return bad("certificate must be 1.." + std::to_string(k_max_certificate_bytes) +
                   " bytes of PEM");
    }
    if (reply.error && reply.error->size() > k_max_error_bytes)
        return bad("error text exceeds " + std::to_string(k_max_error_bytes) + " bytes");
    return reply;
}

}  // namespace lintel::identity
