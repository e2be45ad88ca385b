// Test support: MosquittoBroker — config writer and process control for /usr/sbin/mosquitto.
#include "support/mosquitto_broker.hpp"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <sstream>

#include "support/wait.hpp"

namespace lintel::test {
namespace {

constexpr const char* kMosquitto = "/usr/sbin/mosquitto";

std::string current_user() {
    if (const passwd* pw = getpwuid(geteuid())) return pw->pw_name;
    return "root";
}

std::string tail(const std::string& s, std::size_t n) {
    return s.size() <= n ? s : s.substr(s.size() - n);
}

}  // namespace

BrokerOptions BrokerOptions::from_pki(const Pki& pki) {
    BrokerOptions o;
    o.ca_cert = pki.ca_cert;
    o.server = pki.server;
    o.crl = pki.ca_crl;
    return o;
}

MosquittoBroker::MosquittoBroker(std::filesystem::path work_dir, BrokerOptions options)
    : work_dir_(std::move(work_dir)),
      options_(std::move(options)),
      conf_path_(work_dir_ / "mosquitto.conf"),
      acl_path_(work_dir_ / "acl"),
      log_path_(work_dir_ / "broker.log") {
    if (options_.port == 0) options_.port = free_tcp_port();
}

MosquittoBroker::~MosquittoBroker() { stop(); }

Expected<void> MosquittoBroker::write_config() {
    std::ostringstream acl;
    acl << "# every gateway: only its own subtree (username = certificate CN)\n"
        << "pattern readwrite " << options_.topic_prefix << "/%u/#\n\n"
        << "user " << options_.observer_user << "\n"
        << "topic readwrite " << options_.topic_prefix << "/#\n";
    for (const auto& line : options_.extra_acl_lines) acl << line << "\n";
    if (auto r = write_file(acl_path_, acl.str(), 0600); !r) return r;

    std::ostringstream c;
    // Started as root, mosquitto drops to user "mosquitto" before reading the 0600 keys; naming
    // the current user keeps it as whoever runs the test.
    c << "user " << current_user() << "\n"
      << "per_listener_settings false\n"
      << (options_.plain && !options_.password_file ? "allow_anonymous true\n"
                                                    : "allow_anonymous false\n")
      << (options_.persistence
              ? "persistence true\npersistence_location " + work_dir_.string() + "/\n" +
                    (options_.autosave_interval
                         ? "autosave_interval " + std::to_string(*options_.autosave_interval) + "\n"
                         : std::string())
              : std::string("persistence false\n"))
      // stderr: stdout is block-buffered when redirected, and tests poll this log.
      << "log_dest stderr\n"
      << "log_timestamp true\n"
      << "log_timestamp_format %H:%M:%S\n"
      << "connection_messages true\n";
    if (options_.verbose_log) {
        c << "log_type all\n";
    } else {
        c << "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n";
    }
    // Observers in tests read bursts; mosquitto's default queue (1000) would drop silently.
    if (options_.max_queued_messages)
        c << "max_queued_messages " << *options_.max_queued_messages << "\n";
    if (options_.plain) {
        // A LAN broker as devices use it: no ACL; plain and anonymous unless asked otherwise.
        c << "listener " << options_.port << " 127.0.0.1\n";
        if (options_.password_file)
            c << "password_file " << options_.password_file->string() << "\n";
        if (options_.lan_tls) {
            c << "certfile " << options_.server.cert.string() << "\n"
              << "keyfile " << options_.server.key.string() << "\n"
              << "tls_version tlsv1.2\n";
        }
        for (const auto& line : options_.extra_conf_lines) c << line << "\n";
        return write_file(conf_path_, c.str(), 0600);
    }
    c << "acl_file " << acl_path_.string() << "\n"
      << "listener " << options_.port << " 127.0.0.1\n"
      << "cafile " << options_.ca_cert.string() << "\n"
      << "certfile " << options_.server.cert.string() << "\n"
      << "keyfile " << options_.server.key.string() << "\n";
    if (options_.crl) c << "crlfile " << options_.crl->string() << "\n";
    c << "require_certificate true\n"
      << "use_identity_as_username true\n"
      << "tls_version " << options_.tls_version << "\n";
    for (const auto& line : options_.extra_conf_lines) c << line << "\n";
    return write_file(conf_path_, c.str(), 0600);
}

Expected<void> MosquittoBroker::start(std::chrono::milliseconds timeout) {
    if (process_ && process_->running())
        return make_error("test.broker", "start(): broker already running");
    if (auto r = write_config(); !r) return r;
    std::error_code ec;
    run_log_offset_ =
        std::filesystem::exists(log_path_, ec) ? std::filesystem::file_size(log_path_, ec) : 0;

    auto proc = Process::spawn(ProcessOptions::of({kMosquitto, "-c", conf_path_.string()})
                                   .with_cwd(work_dir_)
                                   .with_stdout(Output::append_to_file(log_path_))
                                   .with_stderr(Output::append_to_file(log_path_)));
    if (!proc) return std::unexpected(proc.error());
    process_.emplace(std::move(*proc));

    // "... running" is logged after every listener is open; no probe connection needed (a probe
    // would add a stray client to the log that tests assert on).
    bool exited = false;
    bool up = wait_until(
        [&] {
            if (!process_->running()) {
                exited = true;
                return true;
            }
            return current_log().find(" running") != std::string::npos;
        },
        timeout, std::chrono::milliseconds(5));
    if (up && !exited) return {};
    std::string why =
        exited ? "exited"
               : "did not report running within " + std::to_string(timeout.count()) + " ms";
    process_->kill9();
    return make_error("test.broker", "mosquitto on port " + std::to_string(options_.port) + " " +
                                         why + "; log tail:\n" + tail(current_log(), 2000));
}

void MosquittoBroker::stop(bool hard, std::chrono::milliseconds grace) {
    if (!process_) return;
    process_->signal(SIGCONT);  // a paused broker cannot act on SIGTERM
    if (hard) {
        process_->kill9();
    } else {
        process_->terminate(grace);
    }
    process_.reset();
}

bool MosquittoBroker::running() { return process_ && process_->running(); }

void MosquittoBroker::pause() {
    if (process_) process_->signal(SIGSTOP);
}

void MosquittoBroker::resume() {
    if (process_) process_->signal(SIGCONT);
}

std::string MosquittoBroker::log() const {
    auto s = read_file(log_path_);
    return s ? *s : std::string{};
}

std::string MosquittoBroker::current_log() const {
    std::string all = log();
    return run_log_offset_ <= all.size() ? all.substr(run_log_offset_) : all;
}

bool MosquittoBroker::wait_for_log(const std::string& needle,
                                   std::chrono::milliseconds timeout) const {
    return wait_until([&] { return current_log().find(needle) != std::string::npos; }, timeout,
                      std::chrono::milliseconds(10));
}

}  // namespace lintel::test
