// lintel-sign credentials, the real binary: what it prints opens on the gateway with the
// secrets from files or stdin, -o writes a new 0600 file and never overwrites, secrets are never
// taken from (or echoed for) the command line, and usage mistakes exit 2.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>

#include "credentials/envelope.hpp"
#include "credentials_test_support.hpp"

namespace lintel::credentials {
namespace {

using commands::test::RunResult;
using namespace test;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

class SignCredentialsTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(
            lintel::test::write_file(dir_ / "password", std::string(k_password) + "\n", 0600));
        ASSERT_TRUE(lintel::test::write_file(dir_ / "psk", std::string(k_psk) + "\r\n", 0600));
    }

    RunResult sign(std::vector<std::string> args,
                   const std::optional<std::filesystem::path>& stdin_file = std::nullopt) {
        args.insert(args.begin(), LINTEL_SIGN_BINARY);
        auto result = commands::test::run(args, dir_.path(), stdin_file);
        if (!result) {
            ADD_FAILURE() << result.error().message;
            return {};
        }
        for (std::string_view secret : {k_password, k_psk}) {
            EXPECT_EQ(result->out.find(secret), std::string::npos) << "a secret on stdout";
            EXPECT_EQ(result->err.find(secret), std::string::npos) << "a secret on stderr";
        }
        return *result;
    }

    std::vector<std::string> peap_args() const {
        return {"credentials",
                "--cert",
                pki_.pki.gateway.cert.string(),
                "--type",
                "peap",
                "--identity",
                "gw-cred-001@corp.example",
                "--ca",
                pki_.pki.ca_cert.string(),
                "--password-file",
                "password",
                "--phase2",
                "mschapv2"};
    }

    Bundle opened(const RunResult& r, const DeviceIdentity& identity = gateway_identity()) {
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_TRUE(r.out.ends_with("\n"));
        auto b = open_bundle(r.out.substr(0, r.out.size() - 1), identity, now_ms());
        EXPECT_TRUE(b) << b.error().message;
        return b.value_or(Bundle{});
    }

    const TestPki& pki_ = TestPki::get();
    lintel::test::TempDir dir_{"lintel-sign-cred"};
};

TEST_F(SignCredentialsTest, PeapOpensOnTheGateway) {
    auto args = peap_args();
    for (const char* extra : {"--anonymous-identity", "anonymous@corp.example", "--server-domain",
                              "radius.corp.example", "--expires-in", "30d", "--id", "cred-42"}) {
        args.push_back(extra);
    }
    const Bundle b = opened(sign(args));
    EXPECT_EQ(b.id, "cred-42");
    EXPECT_EQ(b.gateway, k_gateway_id);
    EXPECT_EQ(b.type, BundleType::peap);
    EXPECT_EQ(b.interface, Interface::wired);
    EXPECT_EQ(b.password.reveal(), k_password) << "the newline at the end of the file is dropped";
    EXPECT_EQ(b.anonymous_identity, "anonymous@corp.example");
    EXPECT_EQ(b.server_domain, "radius.corp.example");
    ASSERT_TRUE(b.expires_at_ms);
    EXPECT_EQ(*b.expires_at_ms - b.issued_at_ms, 30LL * 24 * 3600 * 1000);
    EXPECT_LE(std::abs(b.issued_at_ms - now_ms()), 60'000);
    // Without --id: a random one.
    const Bundle other = opened(sign(peap_args()));
    EXPECT_TRUE(other.id.starts_with("cred-")) << other.id;
    EXPECT_EQ(other.id.size(), 5u + 16u);
}

TEST_F(SignCredentialsTest, EapTlsKeyFromStdinToANewFile) {
    auto r = sign({"credentials", "--cert", pki_.pki.gateway.cert.string(), "--gateway",
                   std::string(k_gateway_id), "--type", "eap-tls", "--identity", "observer", "--ca",
                   pki_.pki.ca_cert.string(), "--client-cert", pki_.pki.observer.cert.string(),
                   "--client-key", "-", "-o", "bundle.b64"},
                  pki_.pki.observer.key);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("(eap-tls, wired, identity observer, client cert expires "),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("for gateway gw-cred-001 written to bundle.b64"), std::string::npos);
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "bundle.b64").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    const std::string envelope = lintel::test::read_file(dir_ / "bundle.b64").value();
    auto b = open_bundle(envelope.substr(0, envelope.size() - 1), gateway_identity(), now_ms());
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(b->client_key.reveal(), text_of(pki_.pki.observer.key));
    EXPECT_EQ(b->client_cert, text_of(pki_.pki.observer.cert));

    // Never overwrites.
    auto again = sign({"credentials", "--cert", pki_.pki.gateway.cert.string(), "--type",
                       "wifi-psk", "--ssid", "x", "--psk-file", "psk", "-o", "bundle.b64"});
    EXPECT_EQ(again.code, 1);
    EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
    EXPECT_EQ(lintel::test::read_file(dir_ / "bundle.b64").value(), envelope);
}

TEST_F(SignCredentialsTest, WifiPskToAnRsaGateway) {
    const Bundle b = opened(sign({"credentials", "--cert", pki_.rsa_gateway.cert.string(), "--type",
                                  "wifi-psk", "--ssid", "Plant Floor", "--psk-file", "psk",
                                  "--key-mgmt", "SAE", "--key-mgmt", "WPA-PSK"}),
                            rsa_gateway_identity());
    EXPECT_EQ(b.gateway, "gw-rsa-001");
    EXPECT_EQ(b.interface, Interface::wifi);
    EXPECT_EQ(b.ssid, "Plant Floor");
    EXPECT_EQ(b.psk.reveal(), k_psk) << "\\r\\n at the end of the file is dropped";
    EXPECT_EQ(b.key_mgmt, (std::vector<std::string>{"SAE", "WPA-PSK"}));
}

TEST_F(SignCredentialsTest, NeverTakesASecretFromTheCommandLine) {
    auto help = sign({"credentials", "--help"});
    EXPECT_EQ(help.code, 0);
    EXPECT_NE(help.out.find("never from the command line"), std::string::npos) << help.out;
    for (const char* option : {"--password ", "--psk ", "--key "}) {
        EXPECT_EQ(help.out.find(option), std::string::npos) << option;
    }
    // A password typed as an argument: refused, and not echoed.
    auto args = peap_args();
    args.insert(args.end(), {"--password", std::string(k_password)});
    auto r = sign(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("never from the command line"), std::string::npos) << r.err;
    args = peap_args();
    args.push_back(std::string(k_password));
    EXPECT_EQ(sign(args).code, 2);
}

TEST_F(SignCredentialsTest, RefusesSecretFilesOthersCanRead) {
    ASSERT_TRUE(lintel::test::write_file(dir_ / "open-password", "pw\n", 0644));
    auto args = peap_args();
    args[args.size() - 3] = "open-password";
    auto r = sign(args);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("password file open-password is accessible by group or others"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("chmod 600"), std::string::npos);
}

TEST_F(SignCredentialsTest, UsageMistakesExit2BeforeAnythingIsWritten) {
    auto expect_usage = [&](std::vector<std::string> args, std::string_view what,
                            const std::optional<std::filesystem::path>& in = std::nullopt) {
        args.insert(args.end(), {"-o", "never.b64"});
        auto r = sign(args, in);
        EXPECT_EQ(r.code, 2) << r.err;
        EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
        EXPECT_FALSE(std::filesystem::exists(dir_ / "never.b64"));
    };
    auto args = peap_args();
    args.insert(args.end(), {"--gateway", "gw-other"});
    expect_usage(args, "--gateway gw-other is not the CN of");
    expect_usage({"credentials", "--cert", pki_.pki.gateway.cert.string(), "--type", "wifi-psk",
                  "--ssid", "x", "--psk-file", "-", "--password-file", "-"},
                 "only one of --client-key, --password-file, --psk-file can read stdin");
    ASSERT_TRUE(lintel::test::write_file(dir_ / "short", "abcdefg\n", 0600));
    expect_usage({"credentials", "--cert", pki_.pki.gateway.cert.string(), "--type", "wifi-psk",
                  "--ssid", "x", "--psk-file", "short"},
                 "the bundle would be refused: psk: must be a passphrase of 8-63");
    expect_usage({"credentials", "--cert", pki_.pki.gateway.cert.string(), "--type", "peap",
                  "--identity", "x", "--ca", pki_.pki.ca_cert.string(), "--phase2", "mschapv2"},
                 "has no \"password\"");
    expect_usage({"credentials", "--cert", pki_.pki.gateway.cert.string(), "--type", "eap-tls",
                  "--identity", "observer", "--ca", pki_.pki.ca_cert.string(), "--client-cert",
                  pki_.pki.observer.cert.string(), "--client-key", pki_.pki.gateway.key.string()},
                 "client_key: does not belong to the client certificate");
    args = peap_args();
    args.insert(args.end(), {"--psk-file", "psk"});
    expect_usage(args, "psk: not used by a peap bundle");
    args = peap_args();
    args.insert(args.end(), {"--expires-in", "forever"});
    expect_usage(args, "--expires-in \"forever\" is not a duration");
    args = peap_args();
    args[4] = "eap-md5";
    expect_usage(args, "--type");
}

TEST_F(SignCredentialsTest, ChecksTheRecipientAgainstACa) {
    auto args = peap_args();
    args.insert(args.end(), {"--cert-ca", pki_.pki.ca_cert.string()});
    EXPECT_EQ(sign(args).code, 0);
    args = peap_args();
    args.insert(args.end(), {"--cert-ca", pki_.pki.rogue_ca.cert.string()});
    auto r = sign(args);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("is not trusted by"), std::string::npos) << r.err;
    args = peap_args();
    args[2] = "missing.crt";
    EXPECT_EQ(sign(args).code, 1);
}

}  // namespace
}  // namespace lintel::credentials
