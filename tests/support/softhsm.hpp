// Test support: a softhsm2 token in a temp dir (SOFTHSM2_CONF set for this process, never the
// system's token store), its PIN file, and a runner for the CLI tools the tests check against.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lintel/error.hpp"
#include "pkcs11/pkcs11.hpp"

namespace lintel::test {

inline constexpr const char* k_softhsm_module = "/usr/lib/softhsm/libsofthsm2.so";

struct SoftHsm {
    std::filesystem::path dir;
    std::filesystem::path pin_file;  // mode 0600, holds `pin`
    std::string label = "lintel-test";
    std::string pin = "246810";
    std::string so_pin = "13579";

    // Writes the softhsm2 config under `dir`, points SOFTHSM2_CONF at it (before any module is
    // loaded in this process: softhsm2 reads it once) and initialises one token.
    static Expected<SoftHsm> create(const std::filesystem::path& dir);
    // The one token of this test process, made on first use in a temp dir removed at exit;
    // nullptr if it cannot be made (shared_error() says why). Test suites share it, because a
    // process cannot move softhsm2 to another token directory once the module is loaded.
    static const SoftHsm* shared();
    static std::string shared_error();

    pkcs11::TokenSettings settings() const { return {k_softhsm_module, pin_file}; }
    std::string token_uri() const { return "pkcs11:token=" + label; }

    // A new P-256 key labelled `key_label` in the token, and a certificate for it with CN =
    // `common_name` from the test CA (CSR signed in the token), written under `out_dir`.
    struct Identity {
        std::string uri;             // the key's pkcs11: URI
        std::filesystem::path cert;  // its certificate (PEM)
    };
    Expected<Identity> issue_identity(const std::string& key_label, const std::string& common_name,
                                      const std::filesystem::path& ca_cert,
                                      const std::filesystem::path& ca_key,
                                      const std::filesystem::path& out_dir) const;
};

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

// Runs a tool to its end (at most 30 s) and returns its exit code and output.
Expected<CommandResult> run_command(const std::vector<std::string>& argv,
                                    const std::filesystem::path& work_dir);

// Signs `csr_pem` with the test CA into a client certificate (30 days); returns its path.
Expected<std::filesystem::path> issue_certificate(const std::filesystem::path& ca_cert,
                                                  const std::filesystem::path& ca_key,
                                                  const std::string& csr_pem,
                                                  const std::filesystem::path& out_dir);

}  // namespace lintel::test
