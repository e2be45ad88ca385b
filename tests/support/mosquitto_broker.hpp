// Test support: a real mosquitto broker with mutual TLS, an ACL keyed on the certificate CN and a
// CRL, on a free 127.0.0.1 port, which a test can stop and start again on the same port.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lintel/error.hpp"
#include "support/pki.hpp"
#include "support/process.hpp"

namespace lintel::test {

struct BrokerOptions {
    std::filesystem::path ca_cert;  // clients must present a cert from this CA
    CertKey server;                 // the broker's own cert (pki.rogue_server to test the client)
    std::optional<std::filesystem::path> crl;  // crlfile; nullopt: no revocation check
    std::uint16_t port = 0;                    // 0: free_tcp_port()
    std::string topic_prefix = "lintel/v1";
    // ACL: `pattern readwrite <prefix>/%u/#` for every client (username = cert CN, via
    // use_identity_as_username), and `observer_user` may read and write all of <prefix>/# (it
    // plays the cloud side in tests). Extra lines are appended verbatim.
    std::string observer_user = "observer";
    std::vector<std::string> extra_acl_lines;
    std::vector<std::string> extra_conf_lines;  // appended to mosquitto.conf verbatim
    std::string tls_version = "tlsv1.2";        // minimum; 1.3 is still negotiated
    bool verbose_log = true;  // log_type all (PUBLISH/PUBACK lines); off for benches
    // Keep sessions and queued QoS 1 messages across stop()/start() (saved in work_dir on
    // SIGTERM), so a persistent-session subscriber misses nothing across a broker restart.
    bool persistence = false;
    // With persistence: seconds between saves of the in-memory database; 0 (the default here):
    // only on exit, nullopt: not written, mosquitto's own default (1800 s) applies.
    std::optional<int> autosave_interval = 0;
    // Per-client queue limit; nullopt: not written, mosquitto's own default (1000) applies.
    std::optional<long> max_queued_messages = 1000000;
    // A plain (no TLS) listener for anonymous clients without ACL, like a LAN broker that
    // devices publish to; ca_cert, server, crl and the ACL options are then unused.
    bool plain = false;
    // With plain: TLS on that listener with `server` (clients need no certificate).
    bool lan_tls = false;
    // With plain: users from this mosquitto_passwd file; anonymous clients are refused.
    std::optional<std::filesystem::path> password_file;

    // The usual setup from a generated PKI: its CA, server cert and CRL.
    static BrokerOptions from_pki(const Pki& pki);
};

class MosquittoBroker {
public:
    // Nothing runs until start(). `work_dir` holds mosquitto.conf, acl and broker.log.
    MosquittoBroker(std::filesystem::path work_dir, BrokerOptions options);
    ~MosquittoBroker();  // stop()
    MosquittoBroker(const MosquittoBroker&) = delete;
    MosquittoBroker& operator=(const MosquittoBroker&) = delete;

    // Writes the config and starts /usr/sbin/mosquitto; returns once it logged "running" (its
    // listener is open then) or fails with the log tail if it exited or `timeout` passed.
    // After stop(), start() again uses the same port.
    Expected<void> start(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // SIGTERM and wait up to `grace` (mosquitto closes client sockets and, with persistence,
    // saves its database), then SIGKILL; hard: SIGKILL at once, like a crash.
    void stop(bool hard = false, std::chrono::milliseconds grace = std::chrono::seconds(5));
    bool running();
    // The broker process's pid (-1 when not running): for its RSS and CPU time in benchmarks.
    pid_t pid() const { return process_ ? process_->pid() : -1; }
    // SIGSTOP / SIGCONT: a hung broker. The listen socket still completes TCP handshakes from
    // the kernel backlog, but nothing answers (TLS, CONNACK, PUBACK).
    void pause();
    void resume();

    std::uint16_t port() const { return options_.port; }
    const BrokerOptions& options() const { return options_; }
    const std::filesystem::path& log_path() const { return log_path_; }
    const std::filesystem::path& conf_path() const { return conf_path_; }

    // The whole log across all starts (appended, one file).
    std::string log() const;
    // The log written since the latest start().
    std::string current_log() const;
    // Polls current_log() for `needle`.
    bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) const;

private:
    Expected<void> write_config();

    std::filesystem::path work_dir_;
    BrokerOptions options_;
    std::filesystem::path conf_path_;
    std::filesystem::path acl_path_;
    std::filesystem::path log_path_;
    std::size_t run_log_offset_ = 0;
    std::optional<Process> process_;
};

}  // namespace lintel::test
