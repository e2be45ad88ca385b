// check_crl_update with CRLs the test CA issues: newer accepted; older, foreign, expired, not yet
// valid and garbage refused with their codes.
#include "identity/crl_update.hpp"

#include <gtest/gtest.h>

#include "identity/reason_codes.hpp"
#include "identity_test_pki.hpp"

namespace lintel::identity {
namespace {

using namespace testing;
using std::chrono::hours;
using Clock = std::chrono::system_clock;

std::string crl(const lintel::test::SignerCa& ca, std::uint64_t number,
                Clock::time_point this_update, Clock::time_point next_update) {
    lintel::test::CrlOptions o;
    o.number = number;
    o.this_update = this_update;
    o.next_update = next_update;
    o.revoked_serial_hex = "1A2B";
    auto pem = lintel::test::make_crl(ca, o);
    EXPECT_TRUE(pem) << (pem ? "" : pem.error().message);
    return pem ? *pem : "";
}

TEST(CrlUpdate, NewerCrlIsAccepted) {
    const auto now = Clock::now();
    const std::string current = crl(signer(), 5, now - hours(48), now + hours(24));
    const std::string next = crl(signer(), 6, now - hours(1), now + hours(720));
    auto facts = check_crl_update(next, pki().ca_cert, current, now);
    ASSERT_TRUE(facts) << facts.error().code << ": " << facts.error().message;
    EXPECT_EQ(facts->number, "06");
    EXPECT_EQ(facts->revoked, 1);
    // The same CRL again is not older: re-sending is harmless.
    EXPECT_TRUE(check_crl_update(next, pki().ca_cert, next, now));
    // Without a current CRL any valid one is accepted.
    EXPECT_TRUE(check_crl_update(next, pki().ca_cert, std::nullopt, now));
}

TEST(CrlUpdate, RefusalsCarryTheirCodes) {
    const auto now = Clock::now();
    const std::string current = crl(signer(), 5, now - hours(2), now + hours(24));
    struct Case {
        std::string pem;
        std::string_view code;
    };
    const Case cases[] = {
        {crl(signer(), 4, now - hours(1), now + hours(24)), reason::crl_older},
        {crl(rogue_signer(), 9, now - hours(1), now + hours(24)), reason::crl_untrusted},
        {crl(signer(), 9, now - hours(48), now - hours(1)), reason::crl_expired},
        {crl(signer(), 9, now + hours(2), now + hours(48)), reason::crl_not_yet_valid},
        {"not a crl", reason::crl_invalid},
        {current + current, reason::crl_invalid},
    };
    for (const auto& c : cases) {
        auto r = check_crl_update(c.pem, pki().ca_cert, current, now);
        ASSERT_FALSE(r) << c.code;
        EXPECT_EQ(r.error().code, c.code) << r.error().message;
    }
}

TEST(CrlUpdate, TheTestPkisOwnCrlIsReadable) {
    auto text = lintel::test::read_file(pki().ca_crl);
    ASSERT_TRUE(text);
    auto facts = check_crl_update(*text, pki().ca_cert, std::nullopt, Clock::now());
    ASSERT_TRUE(facts) << facts.error().message;
    EXPECT_EQ(facts->revoked, 2);
}

}  // namespace
}  // namespace lintel::identity
