// The device sealing key in a file: made once at first start (P-256, 0600), refused when
// readable by others or not a key, and files sealed to the factory key by an older lintel are
// sealed again to it.
#include "credentials/sealing_key.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "credentials/reason_codes.hpp"
#include "credentials/seal.hpp"
#include "credentials/sealed_store.hpp"
#include "credentials_test_support.hpp"

namespace lintel::credentials {
namespace {

using namespace test;

class SealingKeyTest : public ::testing::Test {
protected:
    lintel::test::TempDir dir_{"lintel-sealing-key"};
    std::filesystem::path store_dir_ = dir_ / "credentials";
    std::filesystem::path key_path_ = store_dir_ / "sealing-key.pem";

    void SetUp() override { ASSERT_TRUE(SealedStore::ensure_directory(store_dir_)); }

    SealingKey file_key() {
        auto key = SealingKey::open_or_create(key_path_);
        if (!key) {
            ADD_FAILURE() << key.error().message;
            std::abort();
        }
        return *key;
    }
    SealingKey factory_key() { return SealingKey::of(gateway_identity()).value(); }
};

TEST_F(SealingKeyTest, IsMadeOnceWithMode0600AndReopened) {
    ASSERT_FALSE(std::filesystem::exists(key_path_));
    const SealingKey made = file_key();
    EXPECT_EQ(made.type(), DeviceKeyType::p256);
    EXPECT_EQ(made.location(), key_path_.string());
    struct stat st {};
    ASSERT_EQ(::stat(key_path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_NE(made.fingerprint(), factory_key().fingerprint()) << "not the TLS identity's key";

    const std::string content = lintel::test::read_file(key_path_).value();
    const SealingKey reopened = file_key();
    EXPECT_EQ(reopened.fingerprint(), made.fingerprint());
    EXPECT_EQ(lintel::test::read_file(key_path_).value(), content) << "never replaced";
    // Only the key file: no temp file left behind.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(store_dir_),
                            std::filesystem::directory_iterator()),
              1);

    const Secret secret("psk: correct horse battery staple");
    auto sealed = seal(secret, k_bundle_seal_purpose, made);
    ASSERT_TRUE(sealed) << sealed.error().message;
    auto opened = unseal(*sealed, k_bundle_seal_purpose, reopened);
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(opened->reveal(), secret.reveal());
}

TEST_F(SealingKeyTest, RefusesAKeyFileOthersCanReadOrThatIsNoKey) {
    file_key();
    ASSERT_EQ(::chmod(key_path_.c_str(), 0644), 0);
    auto open = SealingKey::open_or_create(key_path_);
    ASSERT_FALSE(open);
    EXPECT_EQ(open.error().code, "commands.key_insecure");
    EXPECT_NE(open.error().message.find(key_path_.string()), std::string::npos);

    ASSERT_TRUE(lintel::test::write_file(key_path_, "not a key\n", 0600));
    auto junk = SealingKey::open_or_create(key_path_);
    ASSERT_FALSE(junk);
    EXPECT_EQ(junk.error().code, error::identity);
    EXPECT_NE(junk.error().message.find(key_path_.string() + ": not a PEM private key"),
              std::string::npos)
        << junk.error().message;
    EXPECT_EQ(lintel::test::read_file(key_path_).value(), "not a key\n") << "left for the operator";
}

TEST_F(SealingKeyTest, FilesSealedToTheFactoryKeyAreSealedAgainToTheSealingKey) {
    // What an older lintel left: both slots sealed to the factory (TLS) key.
    {
        auto old_store = SealedStore::open(store_dir_, factory_key());
        ASSERT_TRUE(old_store);
        ASSERT_TRUE(old_store->install(eap_tls_bundle()));
        ASSERT_TRUE(old_store->install(peap_bundle()));
    }
    auto store = SealedStore::open(store_dir_, file_key());
    ASSERT_TRUE(store);
    EXPECT_EQ(store->load(Slot::current).error().code, error::sealed_wrong_key);

    EXPECT_EQ(store->reseal_from(factory_key()).value(), 2);
    EXPECT_EQ(store->load(Slot::current).value(), peap_bundle());
    EXPECT_EQ(store->load(Slot::previous).value(), eap_tls_bundle());
    // Now bound to the sealing key only: the factory key no longer opens them.
    auto as_before = SealedStore::open(store_dir_, factory_key());
    EXPECT_EQ(as_before->load(Slot::current).error().code, error::sealed_wrong_key);
    EXPECT_EQ(store->reseal_from(factory_key()).value(), 0) << "once";

    // A slot sealed to neither key is left alone for load() to report.
    auto other = SealedStore::open(store_dir_, SealingKey::of(lookalike_identity()).value());
    ASSERT_TRUE(other->install(wifi_psk_bundle()));
    EXPECT_EQ(store->reseal_from(factory_key()).value(), 0);
    EXPECT_EQ(store->load(Slot::current).error().code, error::sealed_wrong_key);
}

}  // namespace
}  // namespace lintel::credentials
