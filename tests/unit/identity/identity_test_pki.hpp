// The test PKI shared by the identity unit tests, generated once per test binary.
#pragma once

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/pki.hpp"
#include "support/test_ca.hpp"

namespace lintel::identity::testing {

inline constexpr const char* k_gateway = "gw-ident-01";

inline const lintel::test::Pki& pki() {
    static lintel::test::TempDir dir("lintel-identity-pki");
    static const lintel::test::Pki p = [] {
        auto generated = lintel::test::Pki::generate(dir / "pki", k_gateway);
        if (!generated) throw std::runtime_error(generated.error().message);
        return *generated;
    }();
    return p;
}

inline lintel::test::SignerCa signer() { return {pki().ca_cert, pki().ca_key}; }
inline lintel::test::SignerCa rogue_signer() { return {pki().rogue_ca.cert, pki().rogue_ca.key}; }

}  // namespace lintel::identity::testing
