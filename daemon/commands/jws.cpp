// Compact JWS parsing, verification and signing (see jws.hpp).
#include "commands/jws.hpp"

#include <array>

#include "commands/base64url.hpp"
#include "commands/reason_codes.hpp"
#include "commands/strict_json.hpp"

namespace lintel::commands {
namespace {

using nlohmann::json;

// The header holds three strings; anything nested is refused as an unknown member, so a small
// limit only keeps a hostile header from costing anything.
constexpr int k_header_max_depth = 4;

constexpr std::array<std::string_view, 3> k_header_members{"alg", "kid", "typ"};

std::string allowed_algs(JwsType type) {
    std::string out;
    for (JwsAlg alg : {JwsAlg::eddsa, JwsAlg::es256, JwsAlg::rs256}) {
        if (!alg_allowed(type, alg)) continue;
        if (!out.empty()) out += ", ";
        out += to_string(alg);
    }
    return out;
}

// Why a member is refused, for the ones attackers and confused libraries send.
std::string_view why_refused(std::string_view member) {
    if (member == "jwk" || member == "jku" || member == "x5u" || member == "x5c" ||
        member == "x5t" || member == "x5t#S256") {
        return " (keys come only from the gateway's trust store, never from the message)";
    }
    if (member == "crit" || member == "b64") return " (no JWS extensions are supported)";
    return "";
}

Expected<std::string> decode_part(std::string_view part, std::string_view name) {
    if (part.empty()) return field_error("jws." + std::string(name), "empty");
    auto decoded = base64url_decode(part);
    if (!decoded) return field_error("jws." + std::string(name), decoded.error().message);
    return decoded;
}

Expected<void> check_header(const json& header, JwsType type, Jws& out) {
    if (!header.is_object()) {
        return field_error("header",
                           "must be a JSON object, got " + std::string(header.type_name()));
    }
    auto alg = header.find("alg");
    if (alg == header.end()) return field_error("header", "has no \"alg\"");
    if (!alg->is_string()) {
        return field_error("header.alg", "must be a string, got " + std::string(alg->type_name()));
    }
    const auto& alg_name = alg->get_ref<const std::string&>();
    const auto parsed_alg = parse_alg(alg_name);
    if (!parsed_alg || !alg_allowed(type, *parsed_alg)) {
        return make_error(std::string(reason::unsupported_alg),
                          "header.alg: \"" + printable(alg_name) + "\" is not accepted for " +
                              std::string(typ_of(type)) + " (allowed: " + allowed_algs(type) + ")");
    }
    for (const auto& [member, value] : header.items()) {
        bool known = false;
        for (auto name : k_header_members) known = known || member == name;
        if (!known) {
            return field_error("header", "member \"" + printable(member) + "\" is not allowed" +
                                             std::string(why_refused(member)) +
                                             " (allowed: alg, kid, typ)");
        }
    }
    auto kid = header.find("kid");
    if (kid == header.end()) return field_error("header", "has no \"kid\"");
    if (!kid->is_string() || !is_identifier(kid->get_ref<const std::string&>())) {
        return field_error("header.kid", "must be " + std::string(k_identifier_rule));
    }
    auto typ = header.find("typ");
    if (typ == header.end()) return field_error("header", "has no \"typ\"");
    if (!typ->is_string() || typ->get_ref<const std::string&>() != typ_of(type)) {
        return field_error("header.typ", "must be \"" + std::string(typ_of(type)) + "\"");
    }
    out.alg = *parsed_alg;
    out.kid = kid->get<std::string>();
    return {};
}

}  // namespace

std::string_view typ_of(JwsType type) {
    switch (type) {
        case JwsType::command:
            return k_command_typ;
        case JwsType::result:
            return k_result_typ;
        case JwsType::manifest:
            return k_manifest_typ;
    }
    return k_command_typ;
}

bool alg_allowed(JwsType type, JwsAlg alg) {
    return alg == JwsAlg::eddsa || alg == JwsAlg::es256 ||
           (type == JwsType::result && alg == JwsAlg::rs256);
}

Expected<Jws> parse_jws(std::string_view text, JwsType type, std::size_t max_bytes) {
    if (text.size() > max_bytes) {
        return make_error(std::string(reason::too_large),
                          "the JWS is " + std::to_string(text.size()) + " bytes; the limit is " +
                              std::to_string(max_bytes));
    }
    if (text.ends_with('\n')) {
        return field_error("jws", "ends with a newline; send the JWS text without one");
    }
    const auto first = text.find('.');
    const auto second = first == std::string_view::npos ? first : text.find('.', first + 1);
    if (second == std::string_view::npos || text.find('.', second + 1) != std::string_view::npos) {
        std::size_t dots = 0;
        for (char c : text) dots += c == '.' ? 1 : 0;
        return field_error("jws", "expected 3 base64url parts separated by '.', got " +
                                      std::to_string(dots + 1) +
                                      " (only the compact serialization is accepted)");
    }
    const auto header_b64 = text.substr(0, first);
    const auto payload_b64 = text.substr(first + 1, second - first - 1);
    const auto signature_b64 = text.substr(second + 1);

    Jws jws;
    jws.type = type;
    auto header_text = decode_part(header_b64, "header");
    if (!header_text) return std::unexpected(header_text.error());
    auto payload = decode_part(payload_b64, "payload");
    if (!payload) return std::unexpected(payload.error());
    auto signature = decode_part(signature_b64, "signature");
    if (!signature) return std::unexpected(signature.error());

    auto header = parse_strict_json(*header_text, "header", k_header_max_depth,
                                    "the header holds only strings");
    if (!header) return std::unexpected(header.error());
    if (auto checked = check_header(*header, type, jws); !checked) {
        return std::unexpected(checked.error());
    }
    jws.header = std::move(*header);
    jws.signing_input = std::string(text.substr(0, second));
    jws.header_b64_size = header_b64.size();
    jws.payload = std::move(*payload);
    jws.signature = std::move(*signature);
    return jws;
}

Expected<void> verify_jws(const Jws& jws, const PublicKey& key) {
    auto verified = key.verify(jws.signing_input, jws.signature, jws.alg);
    if (!verified) {
        return make_error(verified.error().code,
                          "kid \"" + printable(jws.kid) + "\": " + verified.error().message);
    }
    return {};
}

Expected<std::string> sign_compact(std::string_view header_json, std::string_view payload,
                                   const PrivateKey& key) {
    std::string text = base64url_encode(header_json);
    text += '.';
    text += base64url_encode(payload);
    auto signature = key.sign(text);
    if (!signature) return std::unexpected(signature.error());
    text += '.';
    text += base64url_encode(*signature);
    return text;
}

Expected<std::string> make_jws(JwsType type, std::string_view kid, std::string_view payload,
                               const PrivateKey& key) {
    if (!is_identifier(kid)) {
        return make_error(std::string(error::bad_input), "kid \"" + printable(kid) + "\" must be " +
                                                             std::string(k_identifier_rule));
    }
    if (!alg_allowed(type, key.alg())) {
        return make_error(std::string(error::bad_input),
                          std::string(to_string(key.alg())) + " (" +
                              std::string(to_string(key.type())) + " key) is not accepted for " +
                              std::string(typ_of(type)) + " (allowed: " + allowed_algs(type) + ")");
    }
    nlohmann::ordered_json header;
    header["alg"] = to_string(key.alg());
    header["kid"] = kid;
    header["typ"] = typ_of(type);
    return sign_compact(header.dump(), payload, key);
}

}  // namespace lintel::commands
