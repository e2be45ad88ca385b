// Test keys and certificates from the openssl CLI, and a process runner (see the header).
#include "commands_test_support.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>

#include <gtest/gtest.h>

#include "support/files.hpp"
#include "support/process.hpp"

namespace lintel::commands::test {
namespace {

std::vector<std::string> genpkey_options(std::string_view spec) {
    if (spec == "ed25519") return {"-algorithm", "ED25519"};
    if (spec == "p256") return {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"};
    if (spec == "p384") return {"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"};
    if (spec == "rsa2048") return {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"};
    if (spec == "rsa1024") return {"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"};
    return {};
}

Expected<void> run_ok(const std::vector<std::string>& argv, const std::filesystem::path& dir) {
    auto result = run(argv, dir);
    if (!result) return std::unexpected(result.error());
    if (result->code != 0) {
        return make_error("test.openssl", argv[0] + " " + argv[1] + " failed (" +
                                              std::to_string(result->code) + "): " + result->err);
    }
    return {};
}

}  // namespace

Expected<RunResult> run(const std::vector<std::string>& argv, const std::filesystem::path& dir,
                        const std::optional<std::filesystem::path>& stdin_file) {
    static int counter = 0;
    const auto stem = dir / ("run-" + std::to_string(++counter));
    const auto out_path = stem.string() + ".out";
    const auto err_path = stem.string() + ".err";
    // The Process helper has no stdin redirection: a tiny sh does it, then execs argv.
    std::vector<std::string> full{"/bin/sh", "-c", "exec \"$@\" < \"$0\"",
                                  stdin_file ? stdin_file->string() : std::string("/dev/null")};
    full.insert(full.end(), argv.begin(), argv.end());
    auto process =
        lintel::test::Process::spawn(lintel::test::ProcessOptions::of(full)
                                         .with_cwd(dir)
                                         .with_stdout(lintel::test::Output::to_file(out_path))
                                         .with_stderr(lintel::test::Output::to_file(err_path)));
    if (!process) return std::unexpected(process.error());
    auto status = process->wait_exit(std::chrono::seconds(60));
    if (!status) {
        process->kill9();
        return make_error("test.run", argv[0] + " did not finish within 60 s");
    }
    RunResult result;
    result.code = status->exited ? status->code : -1;
    result.out = lintel::test::read_file(out_path).value_or("");
    result.err = lintel::test::read_file(err_path).value_or("");
    return result;
}

Expected<std::filesystem::path> make_private_key(const std::filesystem::path& dir,
                                                 std::string_view name, std::string_view spec) {
    const auto path = dir / (std::string(name) + ".key");
    std::vector<std::string> argv{"openssl", "genpkey"};
    auto options = genpkey_options(spec);
    if (options.empty()) return make_error("test.spec", "unknown key spec " + std::string(spec));
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), {"-out", path.string()});
    if (auto ok = run_ok(argv, dir); !ok) return std::unexpected(ok.error());
    ::chmod(path.c_str(), 0600);
    return path;
}

Expected<std::filesystem::path> public_pem_of(const std::filesystem::path& dir,
                                              std::string_view name,
                                              const std::filesystem::path& key) {
    const auto path = dir / (std::string(name) + ".pub");
    if (auto ok =
            run_ok({"openssl", "pkey", "-in", key.string(), "-pubout", "-out", path.string()}, dir);
        !ok) {
        return std::unexpected(ok.error());
    }
    return path;
}

Expected<CertFiles> make_self_signed(const std::filesystem::path& dir, std::string_view name,
                                     std::string_view spec, std::string_view cn) {
    auto key = make_private_key(dir, name, spec);
    if (!key) return std::unexpected(key.error());
    const auto cert = dir / (std::string(name) + ".crt");
    if (auto ok =
            run_ok({"openssl", "req", "-x509", "-new", "-key", key->string(), "-subj",
                    "/O=lintel tests/CN=" + std::string(cn), "-days", "1", "-out", cert.string()},
                   dir);
        !ok) {
        return std::unexpected(ok.error());
    }
    return CertFiles{cert, *key};
}

Expected<std::string> openssl_fingerprint(const std::filesystem::path& dir,
                                          const std::filesystem::path& key) {
    const auto der = dir / (key.filename().string() + ".spki.der");
    if (auto ok = run_ok({"openssl", "pkey", "-in", key.string(), "-pubout", "-outform", "DER",
                          "-out", der.string()},
                         dir);
        !ok) {
        return std::unexpected(ok.error());
    }
    auto digest = run({"openssl", "dgst", "-sha256", "-r", der.string()}, dir);
    if (!digest) return std::unexpected(digest.error());
    if (digest->code != 0 || digest->out.size() < 64) {
        return make_error("test.openssl", "openssl dgst failed: " + digest->err);
    }
    return digest->out.substr(0, 64);
}

PrivateKey generated(KeyType type) {
    auto key = PrivateKey::generate(type);
    if (!key) {
        ADD_FAILURE() << key.error().message;
        std::abort();
    }
    return *key;
}

std::string with_char_changed(std::string jws, std::size_t index) {
    if (jws[index] == '.') return jws;
    jws[index] = jws[index] == 'A' ? 'B' : 'A';
    return jws;
}

}  // namespace lintel::commands::test
