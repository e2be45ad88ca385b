// softhsm2 token and CLI helpers for the PKCS#11 tests.
#include "support/softhsm.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "identity/key_source.hpp"
#include "support/files.hpp"
#include "support/process.hpp"

namespace lintel::test {
namespace {

Expected<void> write_file(const std::filesystem::path& path, const std::string& text,
                          std::filesystem::perms mode) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    if (!out) return make_error("test.softhsm", "cannot write " + path.string());
    std::error_code ec;
    std::filesystem::permissions(path, mode, ec);
    if (ec) return make_error("test.softhsm", "chmod " + path.string() + ": " + ec.message());
    return {};
}

}  // namespace

Expected<CommandResult> run_command(const std::vector<std::string>& argv,
                                    const std::filesystem::path& work_dir) {
    static int counter = 0;
    const auto log = work_dir / ("cmd-" + std::to_string(++counter) + ".out");
    auto p = Process::spawn(ProcessOptions::of(argv)
                                .with_stdout(Output::to_file(log))
                                .with_stderr(Output::append_to_file(log)));
    if (!p) return std::unexpected(p.error());
    auto status = p->wait_exit(std::chrono::seconds(30));
    if (!status) return make_error("test.command", argv.front() + " did not finish in 30 s");
    CommandResult r;
    r.exit_code = status->exited ? status->code : -1;
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    r.output = text.str();
    return r;
}

Expected<SoftHsm> SoftHsm::create(const std::filesystem::path& dir) {
    SoftHsm hsm;
    hsm.dir = dir;
    std::error_code ec;
    std::filesystem::create_directories(dir / "tokens", ec);
    if (ec) return make_error("test.softhsm", "mkdir " + dir.string() + ": " + ec.message());
    const auto conf = dir / "softhsm2.conf";
    auto w = write_file(conf,
                        "directories.tokendir = " + (dir / "tokens").string() +
                            "\nobjectstore.backend = file\nlog.level = ERROR\n",
                        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    if (!w) return std::unexpected(w.error());
    ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
    auto init = run_command({"softhsm2-util", "--init-token", "--free", "--label", hsm.label,
                             "--so-pin", hsm.so_pin, "--pin", hsm.pin},
                            dir);
    if (!init) return std::unexpected(init.error());
    if (init->exit_code != 0)
        return make_error("test.softhsm", "softhsm2-util --init-token: " + init->output);
    hsm.pin_file = dir / "token.pin";
    w = write_file(hsm.pin_file, hsm.pin + "\n",
                   std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    if (!w) return std::unexpected(w.error());
    return hsm;
}

namespace {
const Expected<SoftHsm>& shared_token() {
    static TempDir dir("lintel-softhsm");
    static const Expected<SoftHsm> hsm = SoftHsm::create(dir.path());
    return hsm;
}
}  // namespace

const SoftHsm* SoftHsm::shared() { return shared_token() ? &*shared_token() : nullptr; }

std::string SoftHsm::shared_error() {
    return shared_token() ? std::string() : shared_token().error().message;
}

Expected<std::filesystem::path> issue_certificate(const std::filesystem::path& ca_cert,
                                                  const std::filesystem::path& ca_key,
                                                  const std::string& csr_pem,
                                                  const std::filesystem::path& out_dir) {
    const auto csr = out_dir / "token.csr";
    const auto cert = out_dir / "token.pem";
    auto w = write_file(csr, csr_pem,
                        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    if (!w) return std::unexpected(w.error());
    auto r = run_command(
        {"openssl", "x509", "-req", "-in", csr.string(), "-CA", ca_cert.string(), "-CAkey",
         ca_key.string(), "-CAcreateserial", "-days", "30", "-sha256", "-out", cert.string()},
        out_dir);
    if (!r) return std::unexpected(r.error());
    if (r->exit_code != 0) return make_error("test.softhsm", "openssl x509 -req: " + r->output);
    return cert;
}

Expected<SoftHsm::Identity> SoftHsm::issue_identity(const std::string& key_label,
                                                    const std::string& common_name,
                                                    const std::filesystem::path& ca_cert,
                                                    const std::filesystem::path& ca_key,
                                                    const std::filesystem::path& out_dir) const {
    auto uri = pkcs11::generate_p256_key(token_uri(), key_label, settings());
    if (!uri) return std::unexpected(uri.error());
    auto key = pkcs11::open_private_key(*uri, settings());
    if (!key) return std::unexpected(key.error());
    auto csr = identity::make_csr_pem(*key->native(), common_name);
    if (!csr) return std::unexpected(csr.error());
    auto cert = issue_certificate(ca_cert, ca_key, *csr, out_dir);
    if (!cert) return std::unexpected(cert.error());
    return Identity{*uri, *cert};
}

}  // namespace lintel::test
