// The test signer's MQTT side: CSR requests in, certificate replies out (cert_signer.hpp).
#include "support/cert_signer.hpp"

#include <nlohmann/json.hpp>

namespace lintel::test {

namespace {

bool is_csr_topic(const std::string& topic, const std::string& prefix) {
    return topic.starts_with(prefix + "/") && topic.ends_with("/csr");
}

}  // namespace

CertSigner::CertSigner(MqttTestClient& client, SignerCa ca, std::string prefix)
    : client_(client), ca_(std::move(ca)), prefix_(std::move(prefix)) {}

Expected<void> CertSigner::subscribe() { return client_.subscribe(prefix_ + "/+/csr", 1); }

std::size_t CertSigner::requests_seen() const {
    std::size_t n = 0;
    for (const auto& m : client_.messages())
        if (is_csr_topic(m.topic, prefix_)) ++n;
    return n;
}

Expected<SignedReply> CertSigner::answer_next(const SignOptions& options,
                                              std::chrono::milliseconds timeout) {
    const std::size_t index = answered_;
    if (!client_.wait_for(
            [&](const std::vector<MqttMessage>& all) {
                std::size_t n = 0;
                for (const auto& m : all)
                    if (is_csr_topic(m.topic, prefix_)) ++n;
                return n > index;
            },
            timeout)) {
        return make_error("test.signer", "no CSR request within the timeout");
    }
    MqttMessage request;
    std::size_t n = 0;
    for (const auto& m : client_.messages()) {
        if (!is_csr_topic(m.topic, prefix_)) continue;
        if (n++ == index) {
            request = m;
            break;
        }
    }
    ++answered_;
    auto j = nlohmann::json::parse(request.payload, nullptr, false);
    if (!j.is_object() || !j.contains("csr") || !j.contains("request_id"))
        return make_error("test.signer", "not a CSR request: " + request.payload);
    SignedReply out;
    out.gateway =
        request.topic.substr(prefix_.size() + 1, request.topic.size() - prefix_.size() - 1 - 4);
    out.request_id = j["request_id"].get<std::string>();
    out.reason = j.value("reason", "");
    out.csr = j["csr"].get<std::string>();
    auto cert = sign_csr(ca_, j["csr"].get<std::string>(), options);
    if (!cert) return std::unexpected(cert.error());
    if (cert->empty()) return out;  // no_answer
    out.certificate = *cert;
    if (auto serial = certificate_serial(*cert)) out.serial = *serial;
    if (auto r = reply(out.gateway, out.request_id, out.certificate); !r)
        return std::unexpected(r.error());
    return out;
}

Expected<void> CertSigner::reply(const std::string& gateway, const std::string& request_id,
                                 const std::string& certificate_pem) {
    const nlohmann::json body{{"request_id", request_id}, {"certificate", certificate_pem}};
    auto mid = client_.publish(prefix_ + "/" + gateway + "/certificate", body.dump(), 1);
    if (!mid) return std::unexpected(mid.error());
    return {};
}

}  // namespace lintel::test
