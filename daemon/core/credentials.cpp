// Credential file checks shared by the config loader (start, reload, --check-config) and the
// daemon's wait for provisioning.
#include "core/credentials.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/file_mode.hpp"

namespace lintel::core {

std::vector<CredentialFile> credential_files(const TlsConfig& tls) {
    std::vector<CredentialFile> files{
        {tls.ca_file, "uplink.tls.ca_file", "the CA certificate that signed the broker", false},
        {tls.cert_file, "uplink.tls.cert_file", "this gateway's certificate", false},
    };
    if (tls.pkcs11) {
        // The key stays in the token; the secret on disk is the PIN, checked like a key file.
        files.push_back({tls.pkcs11->pin_file, "uplink.tls.pkcs11.pin_file",
                         "the PIN of the token holding this gateway's key", true});
    } else {
        files.push_back({tls.key_file, "uplink.tls.key_file", "this gateway's private key", true});
    }
    if (tls.crl_file) {
        files.push_back({*tls.crl_file, "uplink.tls.crl_file", "the CA's revocation list", false});
    }
    return files;
}

CredentialReport check_credential_files(const TlsConfig& tls) {
    CredentialReport report;
    for (auto& file : credential_files(tls)) {
        const std::string path = file.path.string();
        struct stat st {};
        if (::stat(file.path.c_str(), &st) != 0) {
            // ENOENT, also for a missing /etc/lintel/pki: not provisioned yet. Anything else
            // (EACCES on the directory, a loop) is a mistake the operator must fix.
            if (errno == ENOENT) {
                report.missing.push_back(std::move(file));
            } else {
                report.problems.push_back({std::move(file), path + ": " + std::strerror(errno)});
            }
            continue;
        }
        if (!S_ISREG(st.st_mode)) {
            report.problems.push_back({std::move(file), path + " is not a regular file"});
            continue;
        }
        if (::access(file.path.c_str(), R_OK) != 0) {
            const int err = errno;
            report.problems.push_back(
                {std::move(file), path + " is not readable by this user (uid " +
                                      std::to_string(::geteuid()) + "): " + std::strerror(err)});
            continue;
        }
        if (file.private_key && (st.st_mode & 0077) != 0) {
            report.problems.push_back(
                {std::move(file), "private key file " + path + " has mode " +
                                      common::octal_mode(st.st_mode) +
                                      "; it must be 0600 or stricter (chmod 600 " + path + ")"});
        }
    }
    return report;
}

std::string describe_missing(const std::vector<CredentialFile>& missing) {
    std::string out;
    for (const auto& f : missing) {
        if (!out.empty()) out += "; ";
        out += "missing " + f.path.string() + " (" + f.what + ", " + f.key + ")";
    }
    return out;
}

}  // namespace lintel::core
