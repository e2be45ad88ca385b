// lintel-sign end to end: keygen -> command -> verify-command, verify-result against good,
// wrong, tampered and untrusted certificates, usage errors and file safety.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "commands/jws.hpp"
#include "commands/keys.hpp"
#include "commands/result.hpp"
#include "commands_test_support.hpp"
#include "support/files.hpp"
#include "support/pki.hpp"

namespace lintel::commands {
namespace {

using nlohmann::json;
using test::RunResult;

class LintelSignTest : public ::testing::Test {
protected:
    RunResult sign(std::vector<std::string> args,
                   const std::optional<std::filesystem::path>& stdin_file = std::nullopt) {
        args.insert(args.begin(), LINTEL_SIGN_BINARY);
        auto result = test::run(args, dir_.path(), stdin_file);
        if (!result) {
            ADD_FAILURE() << result.error().message;
            return {};
        }
        return *result;
    }

    // keygen + command with the usual fields; returns the JWS line.
    std::string make_command(const std::string& key, std::vector<std::string> extra = {},
                             const std::string& action = "set-point") {
        std::vector<std::string> args{"command",   "--key", key,        "--kid", "ops-1",
                                      "--gateway", "gw-1",  "--action", action};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = sign(args);
        EXPECT_EQ(r.code, 0) << r.err;
        return r.out;
    }

    std::filesystem::path write(const std::string& name, const std::string& text) {
        const auto path = dir_ / name;
        EXPECT_TRUE(lintel::test::write_file(path, text));
        return path;
    }

    void make_pki() {
        auto pki = lintel::test::Pki::generate(dir_ / "pki", "gw-sign-test");
        ASSERT_TRUE(pki) << pki.error().message;
        pki_ = *pki;
    }

    // A result signed with `key_file` for gateway `gateway`, written to a file.
    std::filesystem::path signed_result(const std::filesystem::path& key_file,
                                        const std::string& gateway, const std::string& name) {
        auto key = PrivateKey::from_pem_file(key_file);
        EXPECT_TRUE(key) << key.error().message;
        CommandResult result;
        result.id = "c-1";
        result.gateway = gateway;
        result.status = ResultStatus::ok;
        result.output = json{{"value", 21.5}};
        result.ts_ms = 1700000000000;
        auto text = sign_result(result, *key);
        EXPECT_TRUE(text) << text.error().message;
        return write(name, text.value_or("") + "\n");
    }

    lintel::test::TempDir dir_{"lintel-sign"};
    lintel::test::Pki pki_;
};

mode_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return st.st_mode & 07777;
}

TEST_F(LintelSignTest, KeygenCommandVerifyCommand) {
    for (const std::string alg : {"ed25519", "p256"}) {
        SCOPED_TRACE(alg);
        const auto key = (dir_ / (alg + ".key")).string();
        auto keygen = sign({"keygen", "--alg", alg, "--out", key});
        ASSERT_EQ(keygen.code, 0) << keygen.err;
        EXPECT_EQ(mode_of(key), 0600u);
        EXPECT_EQ(mode_of(key + ".pub"), 0644u);
        // The fingerprint printed is the public key's.
        auto pub = PublicKey::from_pem_file(key + ".pub");
        ASSERT_TRUE(pub) << pub.error().message;
        EXPECT_NE(keygen.out.find("fingerprint: sha256:" + pub->fingerprint()), std::string::npos)
            << keygen.out;
        EXPECT_EQ(keygen.out.find("PRIVATE"), std::string::npos);

        const auto jws = make_command(key, {"--args", R"({"point":"p1","value":21.5})"});
        ASSERT_TRUE(jws.ends_with("\n"));
        EXPECT_EQ(jws.find('\n'), jws.size() - 1) << "one line";
        auto parsed = parse_jws(jws.substr(0, jws.size() - 1), JwsType::command);
        ASSERT_TRUE(parsed) << parsed.error().message;
        EXPECT_EQ(parsed->alg, alg == "ed25519" ? JwsAlg::eddsa : JwsAlg::es256);
        EXPECT_TRUE(verify_jws(*parsed, *pub));

        const auto file = write("cmd-" + alg + ".jws", jws);
        auto verified = sign({"verify-command", "--pub", key + ".pub", "--in", file.string()});
        ASSERT_EQ(verified.code, 0) << verified.err;
        const auto payload = json::parse(verified.out);
        EXPECT_EQ(payload["v"], 1);
        EXPECT_EQ(payload["gateway"], "gw-1");
        EXPECT_EQ(payload["action"], "set-point");
        EXPECT_EQ(payload["args"], json::parse(R"({"point":"p1","value":21.5})"));
        EXPECT_EQ(payload["id"].get<std::string>().size(), 32u);  // 128 random bits as hex
        EXPECT_EQ(
            payload["expires_at"].get<std::int64_t>() - payload["issued_at"].get<std::int64_t>(),
            60'000);
        // The same through stdin.
        auto from_stdin = sign({"verify-command", "--pub", key + ".pub"}, file);
        EXPECT_EQ(from_stdin.code, 0) << from_stdin.err;
        EXPECT_EQ(from_stdin.out, verified.out);
    }
}

TEST_F(LintelSignTest, CommandOptionsEndUpInThePayload) {
    const auto key = (dir_ / "k.key").string();
    ASSERT_EQ(sign({"keygen", "--alg", "ed25519", "--out", key}).code, 0);
    const auto jws = make_command(key, {"--id", "drill-7", "--issued-at", "1000", "--ttl", "5m"});
    auto parsed = parse_jws(jws.substr(0, jws.size() - 1), JwsType::command);
    ASSERT_TRUE(parsed);
    const auto payload = json::parse(parsed->payload);
    EXPECT_EQ(payload["id"], "drill-7");
    EXPECT_EQ(payload["issued_at"], 1000);
    EXPECT_EQ(payload["expires_at"], 301000);
    EXPECT_EQ(payload["args"], json::object());
    // Two commands get different ids.
    EXPECT_NE(make_command(key), make_command(key));
}

TEST_F(LintelSignTest, ArgFileCarriesAFileVerbatim) {
    const auto key = (dir_ / "k.key").string();
    ASSERT_EQ(sign({"keygen", "--alg", "ed25519", "--out", key}).code, 0);
    const std::string yaml = "devices:\n  - name: \"m\\1\"\n    driver: modbus\n\tx: \u00e9\n";
    const auto file = write("meter.yaml", yaml);
    const auto jws = make_command(
        key,
        {"--args", R"({"file":"devices.d/meter.yaml"})", "--arg-file", "content=" + file.string()},
        "apply-config");
    auto parsed = parse_jws(jws.substr(0, jws.size() - 1), JwsType::command);
    ASSERT_TRUE(parsed);
    const auto args = json::parse(parsed->payload)["args"];
    EXPECT_EQ(args["file"], "devices.d/meter.yaml");
    EXPECT_EQ(args["content"], yaml);  // byte for byte, trailing newline included

    const std::vector<std::string> base{"command",   "--key", key,        "--kid",       "ops-1",
                                        "--gateway", "gw-1",  "--action", "apply-config"};
    auto with = [&](std::vector<std::string> extra) {
        auto args_v = base;
        args_v.insert(args_v.end(), extra.begin(), extra.end());
        return sign(args_v);
    };
    const auto binary = write("bin.yaml", std::string("a\xff\xfe"));
    for (const auto& [r, message] : std::vector<std::pair<test::RunResult, std::string>>{
             {with({"--arg-file", "content"}), "NAME=PATH expected"},
             {with({"--arg-file", "=x"}), "NAME=PATH expected"},
             {with({"--arg-file", "content=" + (dir_ / "nope").string()}), "cannot open"},
             {with({"--arg-file", "content=" + binary.string()}), "is not UTF-8 text"},
             {with({"--args", R"({"content":"x"})", "--arg-file", "content=" + file.string()}),
              "given twice"}}) {
        EXPECT_EQ(r.code, 2) << r.err;
        EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    }
}

TEST_F(LintelSignTest, VerifyCommandWithAnotherKeyFails) {
    const auto a = (dir_ / "a.key").string();
    const auto b = (dir_ / "b.key").string();
    ASSERT_EQ(sign({"keygen", "--alg", "ed25519", "--out", a}).code, 0);
    ASSERT_EQ(sign({"keygen", "--alg", "p256", "--out", b}).code, 0);
    const auto file = write("a.jws", make_command(a));
    auto other = sign({"verify-command", "--pub", b + ".pub", "--in", file.string()});
    EXPECT_EQ(other.code, 1);
    EXPECT_TRUE(
        other.err.starts_with("lintel-sign: command: kid \"ops-1\": alg EdDSA does not match"))
        << other.err;
    EXPECT_TRUE(other.out.empty());
    ASSERT_EQ(sign({"keygen", "--alg", "ed25519", "--out", (dir_ / "c.key").string()}).code, 0);
    auto wrong =
        sign({"verify-command", "--pub", (dir_ / "c.key.pub").string(), "--in", file.string()});
    EXPECT_EQ(wrong.code, 1);
    EXPECT_NE(wrong.err.find("does not verify"), std::string::npos) << wrong.err;
    // Tampered: the payload part of another command spliced in.
    const auto jws = lintel::test::read_file(file).value();
    const auto other_jws = make_command(a, {}, "reboot");
    const auto spliced =
        jws.substr(0, jws.find('.')) +
        other_jws.substr(other_jws.find('.'), other_jws.rfind('.') - other_jws.find('.')) +
        jws.substr(jws.rfind('.'));
    auto tampered =
        sign({"verify-command", "--pub", a + ".pub", "--in", write("t.jws", spliced).string()});
    EXPECT_EQ(tampered.code, 1);
    EXPECT_NE(tampered.err.find("does not verify"), std::string::npos) << tampered.err;
}

TEST_F(LintelSignTest, KeygenRefusesToOverwrite) {
    const auto key = (dir_ / "k.key").string();
    ASSERT_EQ(sign({"keygen", "--alg", "ed25519", "--out", key}).code, 0);
    const auto before = lintel::test::read_file(key).value();
    auto again = sign({"keygen", "--alg", "p256", "--out", key});
    EXPECT_EQ(again.code, 1);
    EXPECT_NE(again.err.find(key + " already exists; refusing to overwrite it"), std::string::npos)
        << again.err;
    EXPECT_EQ(lintel::test::read_file(key).value(), before);
    // Only the .pub in the way: nothing is written either.
    const auto lone = (dir_ / "lone.key").string();
    write("lone.key.pub", "keep me");
    EXPECT_EQ(sign({"keygen", "--alg", "ed25519", "--out", lone}).code, 1);
    EXPECT_FALSE(std::filesystem::exists(lone));
    EXPECT_EQ(lintel::test::read_file(lone + ".pub").value(), "keep me");
}

TEST_F(LintelSignTest, RefusesAPrivateKeyOthersCanRead) {
    const auto key = (dir_ / "k.key").string();
    ASSERT_EQ(sign({"keygen", "--alg", "ed25519", "--out", key}).code, 0);
    ::chmod(key.c_str(), 0644);
    auto r =
        sign({"command", "--key", key, "--kid", "ops-1", "--gateway", "gw-1", "--action", "a"});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("chmod 600 " + key), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
}

TEST_F(LintelSignTest, UsageErrorsExitTwo) {
    const auto key = (dir_ / "k.key").string();
    ASSERT_EQ(sign({"keygen", "--alg", "ed25519", "--out", key}).code, 0);
    const std::vector<std::string> base{"command",   "--key", key,        "--kid", "ops-1",
                                        "--gateway", "gw-1",  "--action", "a"};
    auto with = [&](std::vector<std::string> extra) {
        auto args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        return sign(args);
    };
    struct Case {
        RunResult result;
        const char* message;
    };
    const Case cases[] = {
        {sign({}), "lintel-sign: "},
        {sign({"frobnicate"}), "lintel-sign: "},
        {sign({"keygen", "--alg", "rsa", "--out", (dir_ / "r.key").string()}), "--alg"},
        {sign({"keygen", "--alg", "ed25519"}), "--out"},
        {sign({"command", "--key", key, "--gateway", "g", "--action", "a"}), "--kid"},
        {with({"--ttl", "5"}), "--ttl \"5\" is not a duration"},
        {with({"--ttl", "0s"}), "--ttl"},
        {with({"--args", "[]"}), "--args: must be a JSON object, got array"},
        {with({"--args", R"({"a":1,"a":2})"}), "--args: duplicate key \"a\""},
        {with({"--args", "{"}), "--args: not valid JSON"},
        {with({"--id", "a b"}), "--id must be"},
        {with({"--issued-at", "-5"}), "--issued-at must be >= 0"},
        {sign({"command", "--key", key, "--kid", "bad kid", "--gateway", "g", "--action", "a"}),
         "--kid must be"},
        {sign({"command", "--key", key, "--kid", "k", "--gateway", "g", "--action", "Reboot"}),
         "--action must be"},
        {sign({"verify-result"}), "--cert"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(c.result.code, 2) << c.result.err;
        EXPECT_TRUE(c.result.err.starts_with("lintel-sign: ")) << c.result.err;
        EXPECT_NE(c.result.err.find(c.message), std::string::npos) << c.result.err;
        EXPECT_TRUE(c.result.out.empty()) << c.result.out;
    }
    auto help = sign({"--help"});
    EXPECT_EQ(help.code, 0);
    EXPECT_NE(help.out.find("verify-result"), std::string::npos);
}

TEST_F(LintelSignTest, VerifyResultWithTheGatewayCertificate) {
    ASSERT_NO_FATAL_FAILURE(make_pki());
    const auto result = signed_result(pki_.gateway.key, pki_.gateway_id, "result.jws");
    auto ok =
        sign({"verify-result", "--cert", pki_.gateway.cert.string(), "--in", result.string()});
    ASSERT_EQ(ok.code, 0) << ok.err;
    const auto payload = json::parse(ok.out);
    EXPECT_EQ(payload["gateway"], pki_.gateway_id);
    EXPECT_EQ(payload["status"], "ok");
    EXPECT_EQ(payload["output"]["value"], 21.5);
    EXPECT_NE(ok.out.find("\n  \"v\": 1,\n  \"id\": \"c-1\""), std::string::npos)
        << "pretty, in the gateway's key order: " << ok.out;
    // With the CA, and from stdin.
    auto with_ca =
        sign({"verify-result", "--cert", pki_.gateway.cert.string(), "--ca", pki_.ca_cert.string()},
             result);
    EXPECT_EQ(with_ca.code, 0) << with_ca.err;
    EXPECT_EQ(with_ca.out, ok.out);
}

TEST_F(LintelSignTest, VerifyResultRefusesWrongCertTamperingAndUntrustedCerts) {
    ASSERT_NO_FATAL_FAILURE(make_pki());
    const auto result = signed_result(pki_.gateway.key, pki_.gateway_id, "result.jws");

    // Another gateway's certificate: its CN is not the kid.
    auto other =
        sign({"verify-result", "--cert", pki_.observer.cert.string(), "--in", result.string()});
    EXPECT_EQ(other.code, 1);
    EXPECT_NE(other.err.find("is not the certificate's CN \"observer\""), std::string::npos)
        << other.err;

    // A certificate with the right CN but another key (a look-alike): the signature fails.
    auto lookalike = test::make_self_signed(dir_.path(), "lookalike", "p256", pki_.gateway_id);
    ASSERT_TRUE(lookalike) << lookalike.error().message;
    auto wrong_key =
        sign({"verify-result", "--cert", lookalike->cert.string(), "--in", result.string()});
    EXPECT_EQ(wrong_key.code, 1);
    EXPECT_NE(wrong_key.err.find("does not verify"), std::string::npos) << wrong_key.err;

    // Tampered: one character of the payload changed.
    auto text = lintel::test::read_file(result).value();
    const auto tampered = write("tampered.jws", test::with_char_changed(text, text.find('.') + 12));
    auto bad =
        sign({"verify-result", "--cert", pki_.gateway.cert.string(), "--in", tampered.string()});
    EXPECT_EQ(bad.code, 1);
    EXPECT_TRUE(bad.err.starts_with("lintel-sign: result: ")) << bad.err;
    EXPECT_TRUE(bad.out.empty());

    // A certificate from another CA verifies its own results, until --ca says whose it must be.
    const auto rogue = signed_result(pki_.rogue_client.key, "gw-rogue", "rogue.jws");
    auto no_ca =
        sign({"verify-result", "--cert", pki_.rogue_client.cert.string(), "--in", rogue.string()});
    EXPECT_EQ(no_ca.code, 0) << no_ca.err;
    auto untrusted = sign({"verify-result", "--cert", pki_.rogue_client.cert.string(), "--ca",
                           pki_.ca_cert.string(), "--in", rogue.string()});
    EXPECT_EQ(untrusted.code, 1);
    EXPECT_NE(untrusted.err.find("is not trusted by " + pki_.ca_cert.string()), std::string::npos)
        << untrusted.err;

    // An expired certificate from the right CA.
    const auto expired = signed_result(pki_.expired.key, "gw-expired", "expired.jws");
    auto old = sign({"verify-result", "--cert", pki_.expired.cert.string(), "--ca",
                     pki_.ca_cert.string(), "--in", expired.string()});
    EXPECT_EQ(old.code, 1);
    EXPECT_NE(old.err.find("certificate has expired"), std::string::npos) << old.err;

    // A command is not a result.
    ASSERT_EQ(sign({"keygen", "--alg", "p256", "--out", (dir_ / "k.key").string()}).code, 0);
    const auto command = write("cmd.jws", make_command((dir_ / "k.key").string()));
    auto not_result =
        sign({"verify-result", "--cert", pki_.gateway.cert.string(), "--in", command.string()});
    EXPECT_EQ(not_result.code, 1);
    EXPECT_NE(not_result.err.find("header.typ"), std::string::npos) << not_result.err;

    // Missing input file.
    auto missing = sign({"verify-result", "--cert", pki_.gateway.cert.string(), "--in",
                         (dir_ / "nope.jws").string()});
    EXPECT_EQ(missing.code, 1);
    EXPECT_NE(missing.err.find("nope.jws"), std::string::npos);
}

TEST_F(LintelSignTest, VerifyRefusesOversizeInput) {
    ASSERT_EQ(sign({"keygen", "--alg", "ed25519", "--out", (dir_ / "k.key").string()}).code, 0);
    const auto big = write("big.jws", std::string(20000, 'A'));
    auto r = sign({"verify-command", "--pub", (dir_ / "k.key.pub").string(), "--in", big.string()});
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("more than 16384 bytes"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace lintel::commands
