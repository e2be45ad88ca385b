// libFuzzer target: arbitrary bytes as the signer's certificate reply (strict JSON), the
// certificate inside it (checked against a fixed throwaway CA, CN=fuzz-ca, valid for a century,
// made for this fuzzer only) and as a set-crl argument. Every outcome is a value or a refusal
// with a known cert.* code: never a crash, hang, leak or sanitizer report.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "identity/cert_reply.hpp"
#include "identity/crl_update.hpp"
#include "identity/issued_certificate.hpp"
#include "identity/key_source.hpp"
#include "identity/reason_codes.hpp"

namespace {

using namespace lintel::identity;

constexpr std::string_view k_ca_pem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBpjCCAU2gAwIBAgIUW+HuAfBzwAnE+DCymsBItQmXbI4wCgYIKoZIzj0EAwIw\n"
    "KDEUMBIGA1UECgwLbGludGVsIGZ1enoxEDAOBgNVBAMMB2Z1enotY2EwIBcNMjYx\n"
    "MTIyMDczNTM5WhgPMjEyNjEwMjkwNzM1MzlaMCgxFDASBgNVBAoMC2xpbnRlbCBm\n"
    "dXp6MRAwDgYDVQQDDAdmdXp6LWNhMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
    "32y2pWM9pfqpX4cpUO5I4VLV341IvVLHEts1qu1Gnfty23n96OrrURbjEZEapt47\n"
    "QU36AIvWTMs0+d//eANbPaNTMFEwHQYDVR0OBBYEFCNNM8a41gJRx6I06zf2fsfi\n"
    "rCO8MB8GA1UdIwQYMBaAFCNNM8a41gJRx6I06zf2fsfirCO8MA8GA1UdEwEB/wQF\n"
    "MAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgM9NQKMHP9tb8NSMSq9BE7WH0BzBCXszX\n"
    "abytnF4HAmICIA8VUQ1eV6qgqgfpwW/r57LjNFOQHxiJg8uR3suOumbW\n"
    "-----END CERTIFICATE-----\n";

struct Fixture {
    std::filesystem::path ca_file;
    Pkey key;
    Fixture() {
        char dir[] = "/tmp/lintel-fuzz-identity-XXXXXX";
        if (::mkdtemp(dir) == nullptr) std::abort();
        ca_file = std::filesystem::path(dir) / "ca.pem";
        std::ofstream(ca_file) << k_ca_pem;
        auto source = make_file_key_source();
        if (!source->generate(std::filesystem::path(dir) / "key.pem")) std::abort();
        auto loaded = source->load(std::filesystem::path(dir) / "key.pem");
        if (!loaded) std::abort();
        key = std::move(*loaded);
    }
};

void known_code(const lintel::Error& e) {
    if (std::find(reason::all.begin(), reason::all.end(), e.code) == reason::all.end())
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture fixture;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);

    auto reply = parse_cert_reply(bytes);
    if (!reply) {
        known_code(reply.error());
    } else {
        if (reply->request_id.empty() ||
            reply->certificate_pem.has_value() == reply->error.has_value())
            std::abort();
        if (reply->certificate_pem) {
            IssueExpectations expect;
            expect.ca_file = fixture.ca_file;
            expect.gateway_id = "gw-fuzz";
            expect.key = fixture.key.get();
            auto checked = check_issued_certificate(*reply->certificate_pem, expect);
            // The fixture's key is fresh: no certificate can be for it.
            if (checked) std::abort();
            known_code(checked.error());
        }
    }
    if (auto facts = certificate_facts(bytes); !facts) known_code(facts.error());
    auto crl =
        check_crl_update(bytes, fixture.ca_file, std::nullopt, std::chrono::system_clock::now());
    if (!crl) known_code(crl.error());
    return 0;
}
