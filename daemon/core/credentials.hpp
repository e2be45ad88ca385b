// The uplink's credential files: which ones there are, whether they are usable, and which are
// still missing (a gateway that is "not provisioned" yet, a normal state on a fresh install).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace lintel::core {

struct CredentialProblem {
    CredentialFile file;
    std::string message;  // what is wrong and how to fix it, naming the path
};

struct CredentialReport {
    // Files that do not exist (yet): waiting for them is normal, not an error.
    std::vector<CredentialFile> missing;
    // Files that exist but cannot be used (unreadable, not a file, a key open to others).
    std::vector<CredentialProblem> problems;

    bool provisioned() const { return missing.empty() && problems.empty(); }
};

// Every file the uplink's TLS settings name, CA first, optional CRL last.
std::vector<CredentialFile> credential_files(const TlsConfig& tls);

// Looks at each file (stat, readability for this user, private key mode); no parsing.
CredentialReport check_credential_files(const TlsConfig& tls);

// One line for logs and STATUS=: "missing /etc/lintel/pki/gateway.key (this gateway's private
// key, uplink.tls.key_file); ...".
std::string describe_missing(const std::vector<CredentialFile>& missing);

}  // namespace lintel::core
