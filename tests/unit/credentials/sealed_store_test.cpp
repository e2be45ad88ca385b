// Credentials at rest: seal/unseal with EC and RSA device keys, the current/previous slots and
// their restore, file modes, and refusals of a changed file, another device key, another purpose
// and insecure paths.
#include "credentials/sealed_store.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <map>

#include "credentials/reason_codes.hpp"
#include "credentials/seal.hpp"
#include "credentials_test_support.hpp"

namespace lintel::credentials {
namespace {

using namespace test;

SealingKey key_of(const DeviceIdentity& identity) {
    auto key = SealingKey::of(identity);
    if (!key) {
        ADD_FAILURE() << key.error().message;
        std::abort();
    }
    return *key;
}

mode_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

class SealedStoreTest : public ::testing::Test {
protected:
    lintel::test::TempDir dir_{"lintel-cred-store"};
    std::filesystem::path store_dir_ = dir_ / "credentials";

    SealedStore open_store(const DeviceIdentity& identity = gateway_identity()) {
        auto store = SealedStore::open(store_dir_, key_of(identity));
        if (!store) {
            ADD_FAILURE() << store.error().message;
            std::abort();
        }
        return *store;
    }

    std::optional<Bundle> loaded(const SealedStore& store, Slot slot) {
        auto b = store.load(slot);
        EXPECT_TRUE(b) << b.error().message;
        return b ? *b : std::nullopt;
    }
};

TEST_F(SealedStoreTest, SealsAndOpensWithEcAndRsaKeys) {
    for (const DeviceIdentity& identity : {gateway_identity(), rsa_gateway_identity()}) {
        const Secret text(bundle_json(peap_bundle()).value().reveal());
        auto sealed = seal(text, k_bundle_seal_purpose, key_of(identity));
        ASSERT_TRUE(sealed) << sealed.error().message;
        EXPECT_EQ(sealed->find(k_password), std::string::npos);
        EXPECT_EQ(sealed->find("corp.example"), std::string::npos) << "nothing readable";
        auto opened = unseal(*sealed, k_bundle_seal_purpose, key_of(identity));
        ASSERT_TRUE(opened) << opened.error().message;
        EXPECT_EQ(*opened, text);
        // A fresh key and nonce every time.
        EXPECT_NE(*sealed, seal(text, k_bundle_seal_purpose, key_of(identity)).value());
    }
}

TEST_F(SealedStoreTest, InstallKeepsTheOneBeforeAndRestoresIt) {
    SealedStore store = open_store();
    EXPECT_EQ(loaded(store, Slot::current), std::nullopt);
    EXPECT_EQ(store.restore_previous().value(), false);

    const Bundle a = eap_tls_bundle(), b = peap_bundle(), c = wifi_psk_bundle();
    ASSERT_TRUE(store.install(a));
    EXPECT_EQ(loaded(store, Slot::current), a);
    EXPECT_EQ(loaded(store, Slot::previous), std::nullopt);
    EXPECT_EQ(mode_of(store_dir_), 0700u);
    EXPECT_EQ(mode_of(store.path_of(Slot::current)), 0600u);

    ASSERT_TRUE(store.install(b));
    EXPECT_EQ(loaded(store, Slot::current), b);
    EXPECT_EQ(loaded(store, Slot::previous), a);
    EXPECT_EQ(mode_of(store.path_of(Slot::previous)), 0600u);
    ASSERT_TRUE(store.install(c));
    EXPECT_EQ(loaded(store, Slot::current), c);
    EXPECT_EQ(loaded(store, Slot::previous), b);

    // c failed to authenticate: back to b, once.
    EXPECT_EQ(store.restore_previous().value(), true);
    EXPECT_EQ(loaded(store, Slot::current), b);
    EXPECT_EQ(loaded(store, Slot::previous), std::nullopt);
    EXPECT_EQ(store.restore_previous().value(), false);
    EXPECT_EQ(loaded(store, Slot::current), b);

    // Reopened (a restart): the same content.
    SealedStore again = open_store();
    EXPECT_EQ(loaded(again, Slot::current), b);
    ASSERT_TRUE(again.clear());
    EXPECT_FALSE(std::filesystem::exists(again.path_of(Slot::current)));
    EXPECT_EQ(loaded(again, Slot::current), std::nullopt);
    // Only the two slots ever: no temp file left behind.
    EXPECT_TRUE(std::filesystem::is_empty(store_dir_));
}

TEST_F(SealedStoreTest, InstallRefusesAnInvalidBundleAndChangesNothing) {
    SealedStore store = open_store();
    ASSERT_TRUE(store.install(peap_bundle()));
    Bundle bad = peap_bundle();
    bad.phase2 = "pap";
    auto r = store.install(bad);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, reason::malformed);
    EXPECT_EQ(loaded(store, Slot::current), peap_bundle());
    EXPECT_EQ(loaded(store, Slot::previous), std::nullopt);
}

TEST_F(SealedStoreTest, RefusesAChangedByteAnywhere) {
    for (const DeviceIdentity& identity : {gateway_identity(), rsa_gateway_identity()}) {
        const Secret text(bundle_json(wifi_psk_bundle()).value().reveal());
        const std::string sealed = seal(text, k_bundle_seal_purpose, key_of(identity)).value();
        std::map<std::string, int> codes;
        for (std::size_t i = 0; i < sealed.size(); ++i) {
            std::string changed = sealed;
            changed[i] = static_cast<char>(static_cast<unsigned char>(changed[i]) ^ 0x01);
            auto r = unseal(changed, k_bundle_seal_purpose, key_of(identity));
            ASSERT_FALSE(r) << "byte " << i << " changed and accepted";
            EXPECT_EQ(r.error().message.find(k_psk), std::string::npos);
            ++codes[r.error().code];
        }
        EXPECT_EQ(codes[std::string(error::sealed_wrong_key)], 32) << "the fingerprint bytes";
        EXPECT_EQ(codes[std::string(error::sealed_corrupt)], int(sealed.size()) - 32);
        for (std::size_t length = 0; length < sealed.size(); ++length) {
            auto r = unseal(sealed.substr(0, length), k_bundle_seal_purpose, key_of(identity));
            ASSERT_FALSE(r) << "cut to " << length;
        }
        auto longer = unseal(sealed + "x", k_bundle_seal_purpose, key_of(identity));
        ASSERT_FALSE(longer);
        EXPECT_EQ(longer.error().code, error::sealed_corrupt);
    }
}

TEST_F(SealedStoreTest, RefusesAFileChangedOnDisk) {
    SealedStore store = open_store();
    ASSERT_TRUE(store.install(wifi_psk_bundle()));
    const auto path = store.path_of(Slot::current);
    std::string content = lintel::test::read_file(path).value();
    content[content.size() - 20] ^= 0x40;
    ASSERT_TRUE(lintel::test::write_file(path, content, 0600));
    auto r = store.load(Slot::current);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, error::sealed_corrupt);
    EXPECT_NE(r.error().message.find(path.string() + ": does not authenticate: it was modified"),
              std::string::npos)
        << r.error().message;
}

TEST_F(SealedStoreTest, RefusesAnotherDeviceKey) {
    SealedStore store = open_store();
    ASSERT_TRUE(store.install(eap_tls_bundle()));
    for (const DeviceIdentity& other : {lookalike_identity(), rsa_gateway_identity()}) {
        SealedStore foreign = open_store(other);
        auto r = foreign.load(Slot::current);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, error::sealed_wrong_key);
        EXPECT_NE(r.error().message.find("this gateway's sealing key (the device key of \"" +
                                         other.gateway_id() +
                                         "\") is sha256:" + other.key_fingerprint().substr(0, 16)),
                  std::string::npos)
            << r.error().message;
    }
}

TEST_F(SealedStoreTest, RefusesAnotherPurpose) {
    const DeviceIdentity identity = gateway_identity();
    const std::string sealed = seal(Secret("x"), "lintel/other/1", key_of(identity)).value();
    auto r = unseal(sealed, k_bundle_seal_purpose, key_of(identity));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, error::sealed_corrupt);
    EXPECT_NE(r.error().message.find("another purpose (\"lintel/other/1\""), std::string::npos);
    // A file moved into the slot from elsewhere is refused the same way.
    SealedStore store = open_store();
    ASSERT_TRUE(lintel::test::write_file(store.path_of(Slot::current), sealed, 0600));
    EXPECT_EQ(store.load(Slot::current).error().code, error::sealed_corrupt);
    EXPECT_FALSE(seal(Secret("x"), "", key_of(identity)));
    EXPECT_FALSE(seal(Secret("x"), "has space", key_of(identity)));
}

TEST_F(SealedStoreTest, RefusesInsecurePaths) {
    std::filesystem::create_directory(store_dir_);
    ::chmod(store_dir_.c_str(), 0750);
    auto open = SealedStore::open(store_dir_, key_of(gateway_identity()));
    ASSERT_FALSE(open);
    EXPECT_EQ(open.error().code, error::store_insecure);
    EXPECT_NE(
        open.error().message.find("(mode 0750); fix it with: chmod 700 " + store_dir_.string()),
        std::string::npos)
        << open.error().message;
    ::chmod(store_dir_.c_str(), 0700);

    SealedStore store = open_store();
    ASSERT_TRUE(store.install(peap_bundle()));
    ::chmod(store.path_of(Slot::current).c_str(), 0640);
    auto load = store.load(Slot::current);
    ASSERT_FALSE(load);
    EXPECT_EQ(load.error().code, error::store_insecure);
    EXPECT_NE(load.error().message.find("fix it with: chmod 600"), std::string::npos);
    ::chmod(store.path_of(Slot::current).c_str(), 0600);

    // A symlink in place of a slot, and in place of the directory.
    std::filesystem::create_symlink(store.path_of(Slot::current), store.path_of(Slot::previous));
    auto link = store.load(Slot::previous);
    ASSERT_FALSE(link);
    EXPECT_EQ(link.error().code, error::store_insecure);
    EXPECT_NE(link.error().message.find("is a symlink"), std::string::npos);
    std::filesystem::create_symlink(store_dir_, dir_ / "linked");
    auto linked = SealedStore::open(dir_ / "linked", key_of(gateway_identity()));
    ASSERT_FALSE(linked);
    EXPECT_EQ(linked.error().code, error::store_insecure);
    auto missing_parent = SealedStore::open(dir_ / "no" / "such", key_of(gateway_identity()));
    ASSERT_FALSE(missing_parent);
    EXPECT_EQ(missing_parent.error().code, error::io);
}

TEST_F(SealedStoreTest, RestoreLeavesCurrentAloneWhenPreviousIsDamaged) {
    SealedStore store = open_store();
    ASSERT_TRUE(store.install(eap_tls_bundle()));
    ASSERT_TRUE(store.install(peap_bundle()));
    ASSERT_TRUE(lintel::test::write_file(store.path_of(Slot::previous), "LNTLSEAL junk", 0600));
    auto r = store.restore_previous();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, error::sealed_corrupt);
    EXPECT_EQ(loaded(store, Slot::current), peap_bundle());
}

TEST(DeviceIdentity, LoadsAndRefusesKeys) {
    const auto& p = TestPki::get();
    const DeviceIdentity id = gateway_identity();
    EXPECT_EQ(id.gateway_id(), k_gateway_id);
    EXPECT_EQ(id.key_type(), DeviceKeyType::p256);
    auto fingerprint = commands::test::openssl_fingerprint(p.dir, p.pki.gateway.key);
    ASSERT_TRUE(fingerprint) << fingerprint.error().message;
    EXPECT_EQ(id.key_fingerprint(), *fingerprint);
    EXPECT_EQ(rsa_gateway_identity().key_type(), DeviceKeyType::rsa);

    auto mismatch = DeviceIdentity::from_files(p.pki.gateway.cert, p.pki.observer.key);
    ASSERT_FALSE(mismatch);
    EXPECT_EQ(mismatch.error().code, error::identity);
    EXPECT_NE(mismatch.error().message.find("does not belong to the certificate"),
              std::string::npos);
    ::chmod(p.pki.observer.key.c_str(), 0644);
    auto open_key = DeviceIdentity::from_files(p.pki.observer.cert, p.pki.observer.key);
    ::chmod(p.pki.observer.key.c_str(), 0600);
    ASSERT_FALSE(open_key);
    EXPECT_EQ(open_key.error().code, "commands.key_insecure");
    auto ed = commands::test::make_self_signed(p.dir, "id-ed", "ed25519", "gw-ed");
    ASSERT_TRUE(ed);
    auto unsupported = DeviceIdentity::from_files(ed->cert, ed->key);
    ASSERT_FALSE(unsupported);
    EXPECT_EQ(unsupported.error().code, error::key_unsupported);
}

}  // namespace
}  // namespace lintel::credentials
