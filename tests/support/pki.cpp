// Test support: runs gen_pki.sh and names its outputs.
#include "support/pki.hpp"

#include <chrono>

#include "support/process.hpp"

namespace lintel::test {

std::filesystem::path gen_pki_script() { return LINTEL_GEN_PKI_SH; }

Pki Pki::layout(const std::filesystem::path& dir, const std::string& gateway_id) {
    auto pair = [&](const std::string& name) {
        return CertKey{dir / (name + ".crt"), dir / (name + ".key")};
    };
    Pki p;
    p.dir = dir;
    p.gateway_id = gateway_id;
    p.ca_cert = dir / "ca.crt";
    p.ca_key = dir / "ca.key";
    p.ca_crl = dir / "ca.crl";
    p.server = pair("server");
    p.gateway = pair("gateway");
    p.observer = pair("observer");
    p.revoked = pair("revoked");
    p.expired = pair("expired");
    p.wrong_name = pair("wrong-name");
    p.rogue_ca = pair("rogue-ca");
    p.rogue_client = pair("rogue-client");
    p.rogue_server = pair("rogue-server");
    p.radius = pair("radius");
    p.dot1x_a = pair("dot1x-a");
    p.dot1x_b = pair("dot1x-b");
    p.dot1x_revoked = pair("dot1x-revoked");
    return p;
}

Expected<Pki> Pki::generate(const std::filesystem::path& dir, const std::string& gateway_id) {
    const auto log = dir.parent_path() / (dir.filename().string() + "-gen_pki.log");
    auto proc = Process::spawn(
        ProcessOptions::of({"/bin/sh", gen_pki_script().string(), dir.string(), gateway_id})
            .with_stdout(Output::to_file(log))
            .with_stderr(Output::append_to_file(log)));
    if (!proc) return std::unexpected(proc.error());
    auto status = proc->wait_exit(std::chrono::seconds(30));
    if (!status) {
        proc->kill9();
        return make_error("test.pki", "gen_pki.sh took longer than 30 s; see " + log.string());
    }
    if (!status->exited || status->code != 0) {
        return make_error("test.pki",
                          "gen_pki.sh failed (" + status->describe() + "); see " + log.string());
    }
    return layout(dir, gateway_id);
}

}  // namespace lintel::test
