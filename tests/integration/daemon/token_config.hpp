// Test helper: points a test config's uplink at a key in the test softhsm2 token instead of the
// test PKI's gateway key file (docs/pkcs11.md). Shared by the token e2e tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/files.hpp"
#include "support/pki.hpp"
#include "support/softhsm.hpp"

namespace lintel::test {

// Makes a token key named after the running test and its certificate (CN `gateway`) from the test
// CA, and rewrites `config`'s cert_file/key_file lines to them plus the pkcs11 section.
inline void use_token_key_in_config(const SoftHsm& hsm, const Pki& pki, const std::string& gateway,
                                    const std::filesystem::path& config,
                                    const std::filesystem::path& pin_file,
                                    const std::filesystem::path& out_dir,
                                    SoftHsm::Identity* made = nullptr) {
    auto id = hsm.issue_identity(::testing::UnitTest::GetInstance()->current_test_info()->name(),
                                 gateway, pki.ca_cert, pki.ca_key, out_dir);
    ASSERT_TRUE(id) << id.error().message;
    std::string text = read_file(config).value_or("");
    const std::string file_key = "    key_file: " + pki.gateway.key.string() + "\n";
    const std::string file_cert = "    cert_file: " + pki.gateway.cert.string() + "\n";
    ASSERT_NE(text.find(file_key), std::string::npos) << text;
    ASSERT_NE(text.find(file_cert), std::string::npos) << text;
    text.replace(text.find(file_cert), file_cert.size(),
                 "    cert_file: " + id->cert.string() + "\n");
    text.replace(text.find(file_key), file_key.size(),
                 "    key_file: \"" + id->uri + "\"\n    pkcs11:\n      module: " +
                     k_softhsm_module + "\n      pin_file: " + pin_file.string() + "\n");
    std::ofstream(config) << text;
    if (made) *made = *id;
}

}  // namespace lintel::test
