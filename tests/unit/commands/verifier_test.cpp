// The synchronous verification steps, each refusal with its reason code, in the documented
// order; and the clock rules (a trusted clock, and the anchor used while it is not).
#include <gtest/gtest.h>

#include <fstream>

#include "commands/clock.hpp"
#include "commands/reason_codes.hpp"
#include "commands/verifier.hpp"
#include "support/files.hpp"

namespace lintel::commands {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1'800'000'000'000;  // 2027-01-15, Unix ms

class VerifierTest : public ::testing::Test {
protected:
    void SetUp() override {
        settings_.enabled = true;
        settings_.keys = {key("ops-1", ops_, false), key("old-1", old_, true)};
        settings_.principals = {{"ops", {}, {}}};
        sdk::ConfigErrors errors;
        auto store = TrustStore::load(settings_, errors);
        ASSERT_TRUE(store) << errors.to_string();
        trust_ = std::move(*store);
        ctx_.gateway_id = "gw-1";
        ctx_.now_ms = kNow;
    }

    core::CommandKey key(const std::string& kid, const PrivateKey& k, bool revoked) {
        const auto path = dir_ / (kid + ".pub");
        std::ofstream(path) << k.public_key().to_pem();
        core::CommandKey ck;
        ck.id = kid;
        ck.public_key_file = path;
        ck.principal = "ops";
        ck.revoked = revoked;
        return ck;
    }

    CommandEnvelope command(std::int64_t issued = kNow - 1000, std::int64_t ttl = 60'000) {
        CommandEnvelope c;
        c.kid = "ops-1";
        c.id = "c-1";
        c.issued_at_ms = issued;
        c.expires_at_ms = issued + ttl;
        c.gateway = "gw-1";
        c.action = "ping";
        return c;
    }

    std::string sign(const CommandEnvelope& c, const PrivateKey& k) {
        auto text = sign_command(c, k);
        EXPECT_TRUE(text) << text.error().message;
        return text.value_or("");
    }

    VerifyOutcome verify(const std::string& text) {
        return verify_command(text, trust_, settings_, ctx_);
    }

    std::string refused(const std::string& text) {
        auto out = verify(text);
        EXPECT_FALSE(out.command);
        return out.refusal ? out.refusal->reason : "accepted";
    }

    test::TempDir dir_{"lintel-verifier"};
    PrivateKey ops_ = *PrivateKey::generate(KeyType::ed25519);
    PrivateKey old_ = *PrivateKey::generate(KeyType::p256);
    PrivateKey rogue_ = *PrivateKey::generate(KeyType::ed25519);
    core::CommandsSettings settings_;
    TrustStore trust_;
    VerifyContext ctx_;
};

TEST_F(VerifierTest, AValidCommandPassesWithItsPrincipal) {
    auto out = verify(sign(command(), ops_));
    ASSERT_TRUE(out.command) << out.refusal->message;
    EXPECT_EQ(out.command->action, "ping");
    EXPECT_EQ(out.principal, "ops");
    EXPECT_EQ(out.kid, "ops-1");
    EXPECT_EQ(out.id, "c-1");
}

TEST_F(VerifierTest, EachAttackIsRefusedWithItsReason) {
    EXPECT_EQ(refused(std::string(20'000, 'a')), reason::too_large);
    EXPECT_EQ(refused("not a jws"), reason::malformed);
    auto other = command();
    other.gateway = "gw-2";
    EXPECT_EQ(refused(sign(other, ops_)), reason::wrong_gateway);
    auto unknown = command();
    unknown.kid = "who-1";
    EXPECT_EQ(refused(sign(unknown, rogue_)), reason::unknown_key);
    auto revoked = command();
    revoked.kid = "old-1";
    EXPECT_EQ(refused(sign(revoked, old_)), reason::revoked_key);
    EXPECT_EQ(refused(sign(command(), rogue_)), reason::bad_signature)
        << "signed by a key that is not the one named";
    EXPECT_EQ(refused(sign(command(kNow - 6 * 60'000, 9 * 60'000), ops_)), reason::stale);
    EXPECT_EQ(refused(sign(command(kNow + 5 * 60'000), ops_)), reason::future);
    EXPECT_EQ(refused(sign(command(kNow - 120'000, 60'000), ops_)), reason::expired);
}

TEST_F(VerifierTest, ATamperedPayloadFailsTheSignatureButKeepsWhatWasLearnt) {
    std::string text = sign(command(), ops_);
    // Re-encode the payload with another action, keep header and signature.
    const auto dot1 = text.find('.');
    const auto dot2 = text.find('.', dot1 + 1);
    auto c = command();
    c.action = "reload-config";
    auto forged = sign(c, rogue_);
    const auto f1 = forged.find('.');
    const auto f2 = forged.find('.', f1 + 1);
    const std::string spliced =
        text.substr(0, dot1) + forged.substr(f1, f2 - f1) + text.substr(dot2);
    auto out = verify(spliced);
    ASSERT_TRUE(out.refusal);
    EXPECT_EQ(out.refusal->reason, reason::bad_signature);
    EXPECT_EQ(out.action, "reload-config") << "the audit records what the forgery asked for";
    EXPECT_EQ(out.principal, "ops");
}

TEST_F(VerifierTest, LifetimeLongerThanAllowedIsRefused) {
    settings_.max_lifetime = 5min;
    auto out = verify(sign(command(kNow - 1000, 10 * 60'000), ops_));
    ASSERT_TRUE(out.refusal);
    EXPECT_EQ(out.refusal->reason, reason::expired);
    EXPECT_NE(out.refusal->message.find("exceeds commands.max_lifetime"), std::string::npos);
}

TEST_F(VerifierTest, UntrustedClockUsesTheNewestAcceptedCommandAsAnchor) {
    ctx_.clock_trusted = false;
    ctx_.now_ms = 0;  // booted in 1970
    EXPECT_EQ(refused(sign(command(), ops_)), reason::clock_unsynced)
        << "nothing to anchor freshness to yet";
    ctx_.newest_accepted_issued_at_ms = kNow - 5000;
    EXPECT_TRUE(verify(sign(command(kNow - 1000), ops_)).command)
        << "issued after the newest accepted one: fresh enough, the nonce store does the rest";
    EXPECT_EQ(refused(sign(command(kNow - 6000), ops_)), reason::clock_unsynced)
        << "issued before it: cannot be shown to be fresh";
}

TEST(Clock, PolicyOverridesTheKernel) {
    EXPECT_TRUE(clock_trusted(core::ClockPolicy::synced));
    EXPECT_FALSE(clock_trusted(core::ClockPolicy::unsynced));
    EXPECT_EQ(clock_trusted(core::ClockPolicy::automatic), kernel_clock_synchronised());
}

}  // namespace
}  // namespace lintel::commands
