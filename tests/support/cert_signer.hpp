// Test support: the cloud-side certificate signer as an MQTT client. It reads CSR requests that
// gateways publish on {prefix}/{gw}/csr, signs them with the test CA (test_ca.hpp, optionally
// misbehaving) and publishes the reply on {prefix}/{gw}/certificate. Driven by the test, one
// request at a time, so every test decides how each CSR is answered.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "lintel/error.hpp"
#include "support/mqtt_test_client.hpp"
#include "support/test_ca.hpp"

namespace lintel::test {

struct SignedReply {
    std::string gateway;
    std::string request_id;
    std::string reason;       // the CSR request's "reason"
    std::string csr;          // the CSR itself (PEM)
    std::string certificate;  // empty for no_answer
    std::string serial;
};

class CertSigner {
public:
    // `client` must be connected and may read {prefix}/+/csr and write {prefix}/+/certificate.
    CertSigner(MqttTestClient& client, SignerCa ca, std::string prefix = "lintel/v1");
    Expected<void> subscribe();

    // Waits for the next CSR request not yet answered and answers it as `options` says.
    Expected<SignedReply> answer_next(const SignOptions& options = {},
                                      std::chrono::milliseconds timeout = std::chrono::seconds(15));
    // Publishes a reply for an arbitrary request id (stale or forged replies).
    Expected<void> reply(const std::string& gateway, const std::string& request_id,
                         const std::string& certificate_pem);
    std::size_t requests_seen() const;

private:
    MqttTestClient& client_;
    SignerCa ca_;
    std::string prefix_;
    std::size_t answered_ = 0;
};

}  // namespace lintel::test
