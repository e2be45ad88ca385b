// lintel-sign keygen.
#include "sign/keygen.hpp"

#include <unistd.h>
#include <system_error>

#include "commands/key_files.hpp"
#include "commands/keys.hpp"
#include "commands/reason_codes.hpp"
#include "sign/tool.hpp"

namespace lintel::sign {

Expected<std::string> keygen(const KeygenOptions& options) {
    commands::KeyType type = commands::KeyType::ed25519;
    if (options.alg == "p256") {
        type = commands::KeyType::p256;
    } else if (options.alg != "ed25519") {
        return make_error(std::string(k_usage), "--alg must be ed25519 or p256");
    }
    const std::filesystem::path pub = options.out.string() + ".pub";
    // Checked up front so that neither file is written when one of them is in the way.
    for (const auto& path : {options.out, pub}) {
        std::error_code ec;
        if (std::filesystem::symlink_status(path, ec).type() !=
            std::filesystem::file_type::not_found) {
            return make_error(std::string(commands::error::file_exists),
                              path.string() + " already exists; refusing to overwrite it");
        }
    }
    auto key = commands::PrivateKey::generate(type);
    if (!key) return std::unexpected(key.error());
    if (auto saved = key->save_pem(options.out); !saved) return std::unexpected(saved.error());
    const std::string pem = key->public_key().to_pem();
    if (pem.empty()) {
        return make_error(std::string(commands::error::crypto), "cannot encode the public key");
    }
    if (auto saved = commands::write_new_file(pub, pem, 0644); !saved) {
        ::unlink(options.out.c_str());  // no private key without its public half
        return std::unexpected(saved.error());
    }
    return std::string(commands::to_string(type)) + " private key: " + options.out.string() +
           " (mode 0600; keep it secret)\n" + "public key: " + pub.string() +
           " (install it in the gateways' trust store)\n" +
           "fingerprint: sha256:" + key->public_key().fingerprint() + "\n";
}

}  // namespace lintel::sign
