// check_issued_certificate against certificates the test CA signer makes from real CSRs: the
// good one passes, each fault of the signer is refused with its own code.
#include "identity/issued_certificate.hpp"

#include <gtest/gtest.h>

#include "identity/key_source.hpp"
#include "identity/reason_codes.hpp"
#include "identity_test_pki.hpp"

namespace lintel::identity {
namespace {

using namespace testing;
using lintel::test::SignerFault;

class IssuedCertificateTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto source = make_file_key_source();
        ASSERT_TRUE(source->generate(dir_ / "key.pem"));
        auto key = source->load(dir_ / "key.pem");
        ASSERT_TRUE(key) << key.error().message;
        key_ = std::move(*key);
        auto csr = source->sign_csr(*key_, k_gateway);
        ASSERT_TRUE(csr) << csr.error().message;
        csr_ = *csr;
    }

    std::string issue(SignerFault fault, std::chrono::hours validity = std::chrono::hours(2160)) {
        lintel::test::SignOptions o;
        o.fault = fault;
        o.validity = validity;
        o.rogue = rogue_signer();
        auto cert = lintel::test::sign_csr(signer(), csr_, o);
        EXPECT_TRUE(cert) << (cert ? "" : cert.error().message);
        return cert ? *cert : "";
    }

    IssueExpectations expect() const {
        IssueExpectations e;
        e.ca_file = pki().ca_cert;
        e.gateway_id = k_gateway;
        e.key = key_.get();
        return e;
    }

    lintel::test::TempDir dir_{"lintel-identity-issued"};
    Pkey key_;
    std::string csr_;
};

TEST_F(IssuedCertificateTest, KeyFileIsPrivateAndCsrCarriesTheGatewayId) {
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "key.pem").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_NE(csr_.find("BEGIN CERTIFICATE REQUEST"), std::string::npos);
    // A second generate on the same path is refused: a key is never overwritten.
    auto again = make_file_key_source()->generate(dir_ / "key.pem");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, reason::key_failed);
}

TEST_F(IssuedCertificateTest, GoodCertificatePasses) {
    const std::string pem = issue(SignerFault::none);
    auto facts = check_issued_certificate(pem, expect());
    ASSERT_TRUE(facts) << facts.error().code << ": " << facts.error().message;
    EXPECT_EQ(facts->common_name, k_gateway);
    EXPECT_EQ(facts->serial, *lintel::test::certificate_serial(pem));
    EXPECT_GT(facts->not_after_ms, facts->not_before_ms);
    EXPECT_TRUE(*key_matches_certificate(*key_, pem));
}

TEST_F(IssuedCertificateTest, EachSignerFaultIsRefusedWithItsCode) {
    const std::pair<SignerFault, std::string_view> cases[] = {
        {SignerFault::wrong_cn, reason::wrong_cn},
        {SignerFault::other_key, reason::key_mismatch},
        {SignerFault::other_ca, reason::untrusted},
        {SignerFault::expired, reason::expired},
    };
    for (const auto& [fault, code] : cases) {
        auto r = check_issued_certificate(issue(fault), expect());
        ASSERT_FALSE(r) << code;
        EXPECT_EQ(r.error().code, code) << r.error().message;
    }
}

TEST_F(IssuedCertificateTest, NotYetValidAndShorterValidityAreRefused) {
    const std::string pem = issue(SignerFault::none, std::chrono::hours(48));
    auto e = expect();
    e.now = std::chrono::system_clock::now() - std::chrono::hours(1);
    auto early = check_issued_certificate(pem, e);
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, reason::not_yet_valid);

    auto longer = expect();
    longer.must_outlast_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(
            (std::chrono::system_clock::now() + std::chrono::hours(24 * 30)).time_since_epoch())
            .count();
    auto shorter = check_issued_certificate(pem, longer);
    ASSERT_FALSE(shorter);
    EXPECT_EQ(shorter.error().code, reason::shorter_validity);
}

TEST_F(IssuedCertificateTest, GarbageIsNotACertificate) {
    for (std::string_view bad : {"", "hello",
                                 "-----BEGIN CERTIFICATE-----\nAAAA\n-----END "
                                 "CERTIFICATE-----\n"}) {
        auto r = check_issued_certificate(bad, expect());
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, reason::bad_certificate);
    }
    // A good leaf followed by a broken block is refused too: every block must parse.
    auto r = check_issued_certificate(
        issue(SignerFault::none) + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        expect());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::bad_certificate);
}

TEST_F(IssuedCertificateTest, FactoryCertificateFactsAreRead) {
    auto facts = certificate_facts_of_file(pki().gateway.cert);
    ASSERT_TRUE(facts) << facts.error().message;
    EXPECT_EQ(facts->common_name, k_gateway);
    EXPECT_FALSE(facts->serial.empty());
}

}  // namespace
}  // namespace lintel::identity
