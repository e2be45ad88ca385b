// Shared fixture of the PKCS#11 tests: one softhsm2 token per test process (softhsm2 reads its
// config once per process), the test PKI, and a key generated in the token for each test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "pkcs11/pkcs11.hpp"
#include "support/files.hpp"
#include "support/pki.hpp"
#include "support/softhsm.hpp"

namespace lintel::pkcs11::testing {

inline constexpr const char* k_gateway = "gw-token";

class TokenTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(hsm_) << test::SoftHsm::shared_error();
        auto pki = test::Pki::generate(dir_ / "pki", k_gateway);
        ASSERT_TRUE(pki) << pki.error().message;
        pki_ = *pki;
    }

    // A new P-256 key in the token, under a label unique to this test.
    std::string new_key(const std::string& suffix = "") {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        auto uri = generate_p256_key(hsm_->token_uri(), std::string(info->name()) + suffix,
                                     hsm_->settings());
        EXPECT_TRUE(uri) << uri.error().message;
        return uri ? *uri : std::string();
    }

    const test::SoftHsm* hsm_ = test::SoftHsm::shared();
    test::TempDir dir_{"lintel-pkcs11"};
    test::Pki pki_;
};

}  // namespace lintel::pkcs11::testing
