// Test support: Dot1xRig — namespace and veth with `ip`, freeradius and hostapd from configs
// written here, wpa_supplicant on demand; readiness by polling logs and control sockets.
#include "support/dot1x_rig.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "support/files.hpp"
#include "support/wait.hpp"

namespace lintel::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::string_view k_netns_prefix = "lintel-dx-";
constexpr std::string_view k_radius_secret = "lintel-dot1x-test";
std::atomic<unsigned> g_rigs{0};

std::unexpected<Error> rig_error(std::string message) {
    return make_error("test.dot1x", std::move(message));
}

bool debug() { return std::getenv("LINTEL_DOT1X_DEBUG") != nullptr; }

bool on_path(const std::string& program) {
    for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
        if (::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
    }
    return false;
}

std::string tail(const fs::path& file, std::size_t lines = 15) {
    auto text = read_file(file);
    if (!text) return "(no " + file.filename().string() + ")";
    std::size_t pos = text->size();
    for (std::size_t n = 0; n <= lines && pos > 0; ++n) {
        pos = text->rfind('\n', pos - 1);
        if (pos == std::string::npos) {
            pos = 0;
            break;
        }
    }
    return "--- " + file.filename().string() + " ---\n" + text->substr(pos);
}

// Runs a short command (ip ...) to its end; its output goes to `log`.
Expected<void> run(const std::vector<std::string>& argv, const fs::path& log) {
    auto p = Process::spawn(ProcessOptions::of(argv)
                                .with_stdout(Output::append_to_file(log))
                                .with_stderr(Output::append_to_file(log)));
    if (!p) return std::unexpected(p.error());
    auto status = p->wait_exit(10s);
    if (!status) {
        p->kill9();
        return rig_error(argv[0] + " " + argv[1] + " took longer than 10 s");
    }
    if (!status->exited || status->code != 0) {
        std::string cmd;
        for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
        return rig_error("`" + cmd + "` failed (" + status->describe() + ")\n" + tail(log));
    }
    return {};
}

// Alive and not a zombie (a killed test process may stay one when nobody reaps it).
bool alive(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return false;
    const auto paren = stat->rfind(')');
    return paren == std::string::npos || paren + 2 >= stat->size() || (*stat)[paren + 2] != 'Z';
}

// Namespaces of rigs whose test process died without its destructor (SIGKILL, abort by the
// watchdog) are removed here: their processes died with the test (parent-death signal).
void remove_stale_namespaces(const fs::path& log) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/run/netns", ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with(k_netns_prefix)) continue;
        const auto rest = name.substr(k_netns_prefix.size());
        const pid_t pid = static_cast<pid_t>(std::atol(rest.substr(0, rest.find('-')).c_str()));
        if (pid <= 0 || !alive(pid)) {
            (void)run({"ip", "netns", "delete", name}, log);
        }
    }
}

Expected<void> write(const fs::path& path, const std::string& text) {
    return write_file(path, text, 0600);
}

std::string radius_config(const fs::path& dir, const Pki& pki) {
    const std::string d = dir.string();
    return "# freeradius 3.2 for the 802.1X tests: one client (hostapd on 127.0.0.1 of the\n"
           "# namespace), the EAP module with EAP-TLS only, the CA's CRL checked.\n"
           "prefix = /usr\n"
           "exec_prefix = /usr\n"
           "sysconfdir = /etc\n"
           "localstatedir = " +
           d +
           "\n"
           "sbindir = /usr/sbin\n"
           "logdir = " +
           d +
           "\n"
           "raddbdir = " +
           d +
           "\n"
           "radacctdir = " +
           d +
           "\n"
           "name = freeradius\n"
           "confdir = " +
           d +
           "\n"
           "modconfdir = " +
           d +
           "\n"
           "certdir = " +
           pki.dir.string() +
           "\n"
           "cadir = " +
           pki.dir.string() +
           "\n"
           "run_dir = " +
           d +
           "\n"
           "db_dir = " +
           d +
           "\n"
           "libdir = /usr/lib/freeradius\n"
           "pidfile = " +
           d +
           "/radiusd.pid\n"
           "max_request_time = 30\n"
           "cleanup_delay = 5\n"
           "max_requests = 1024\n"
           "hostname_lookups = no\n"
           "log {\n"
           "\tdestination = stdout\n"
           "\tcolourise = no\n"
           "\tauth = yes\n"
           "\tauth_badpass = no\n"
           "\tauth_goodpass = no\n"
           "}\n"
           "security {\n"
           "\tallow_core_dumps = no\n"
           "\tmax_attributes = 200\n"
           "\treject_delay = 0\n"
           "\tstatus_server = no\n"
           "}\n"
           "proxy_requests = no\n"
           "thread pool {\n"
           "\tstart_servers = 1\n"
           "\tmax_servers = 4\n"
           "\tmin_spare_servers = 1\n"
           "\tmax_spare_servers = 2\n"
           "\tmax_requests_per_server = 0\n"
           "}\n"
           "client hostapd {\n"
           "\tipaddr = 127.0.0.1\n"
           "\tsecret = " +
           std::string(k_radius_secret) +
           "\n"
           "\trequire_message_authenticator = no\n"
           "\tnas_type = other\n"
           "}\n"
           "modules {\n"
           "\teap {\n"
           "\t\tdefault_eap_type = tls\n"
           "\t\ttimer_expire = 60\n"
           "\t\tignore_unknown_eap_types = no\n"
           "\t\tmax_sessions = 64\n"
           "\t\ttls-config tls-common {\n"
           "\t\t\tprivate_key_file = " +
           pki.radius.key.string() +
           "\n"
           "\t\t\tcertificate_file = " +
           pki.radius.cert.string() +
           "\n"
           "\t\t\tca_file = " +
           d +
           "/ca-and-crl.pem\n"
           "\t\t\tcheck_crl = yes\n"
           "\t\t\tcipher_list = \"DEFAULT\"\n"
           "\t\t\tecdh_curve = \"prime256v1\"\n"
           // EAP-TLS 1.3 is still experimental in freeradius 3.2 and wpa_supplicant 2.10.
           "\t\t\ttls_min_version = \"1.2\"\n"
           "\t\t\ttls_max_version = \"1.2\"\n"
           "\t\t}\n"
           "\t\ttls {\n"
           "\t\t\ttls = tls-common\n"
           "\t\t}\n"
           "\t}\n"
           "}\n"
           "server default {\n"
           "\tlisten {\n"
           "\t\ttype = auth\n"
           "\t\tipaddr = 127.0.0.1\n"
           "\t\tport = 1812\n"
           "\t}\n"
           "\tauthorize {\n"
           "\t\teap {\n"
           "\t\t\tok = return\n"
           "\t\t}\n"
           "\t}\n"
           "\tauthenticate {\n"
           "\t\teap\n"
           "\t}\n"
           "\tpost-auth {\n"
           "\t\tPost-Auth-Type REJECT {\n"
           "\t\t\teap\n"
           "\t\t}\n"
           "\t}\n"
           "}\n";
}

std::string hostapd_config(const std::string& ifname, const fs::path& ctrl_dir) {
    return "# hostapd as a wired IEEE 802.1X authenticator, RADIUS to freeradius in the same\n"
           "# namespace.\n"
           "interface=" +
           ifname +
           "\n"
           "driver=wired\n"
           "logger_stdout=-1\n"
           "logger_stdout_level=1\n"
           "ctrl_interface=" +
           ctrl_dir.string() +
           "\n"
           "ieee8021x=1\n"
           "eapol_version=2\n"
           "eap_reauth_period=0\n"
           "use_pae_group_addr=1\n"
           "own_ip_addr=127.0.0.1\n"
           "auth_server_addr=127.0.0.1\n"
           "auth_server_port=1812\n"
           "auth_server_shared_secret=" +
           std::string(k_radius_secret) + "\n";
}

std::string quoted(const fs::path& p) { return "\"" + p.string() + "\""; }

}  // namespace

std::string Dot1xRig::unavailable() {
    if (::geteuid() != 0) return "the 802.1X rig needs root (network namespaces, veth)";
    struct Need {
        const char* program;
        const char* package;
    };
    for (const auto& n :
         {Need{"ip", "iproute2"}, Need{"freeradius", "freeradius"}, Need{"hostapd", "hostapd"},
          Need{"wpa_supplicant", "wpasupplicant"}, Need{"openssl", "openssl"}}) {
        if (!on_path(n.program)) {
            return std::string(n.program) + " is missing (apt-get install " + n.package + ")";
        }
    }
    return {};
}

Expected<std::unique_ptr<Dot1xRig>> Dot1xRig::start(const fs::path& dir) {
    if (auto why = unavailable(); !why.empty()) return rig_error(why);
    std::unique_ptr<Dot1xRig> rig(new Dot1xRig());
    rig->dir_ = dir;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return rig_error("cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, ec);

    auto pki = Pki::generate(dir / "pki", "gw-dot1x");
    if (!pki) return std::unexpected(pki.error());
    rig->pki_ = *pki;

    // Unique per rig and short: interface names have 15 bytes at most.
    const unsigned n = g_rigs.fetch_add(1) % 1000;
    const std::string id = std::to_string(::getpid()) + "-" + std::to_string(n);
    rig->netns_ = std::string(k_netns_prefix) + id;
    rig->authenticator_if_ = "dxa" + id;
    rig->supplicant_if_ = "dxs" + id;

    if (auto ok = rig->make_namespace(); !ok) return std::unexpected(ok.error());
    if (auto ok = rig->start_radius(); !ok) return std::unexpected(ok.error());
    // hostapd before any wpa_supplicant: the supplicant's first EAPOL-Start would be lost
    // otherwise, and its retry comes 30 s later.
    if (auto ok = rig->start_hostapd(); !ok) return std::unexpected(ok.error());
    return rig;
}

std::vector<std::string> Dot1xRig::in_netns(std::vector<std::string> argv) const {
    // `ip netns exec` execs the program itself (no fork): the Process is the program.
    std::vector<std::string> out{"ip", "netns", "exec", netns_};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

Expected<void> Dot1xRig::make_namespace() {
    const auto log = dir_ / "ip.log";
    remove_stale_namespaces(log);
    if (auto ok = run({"ip", "netns", "add", netns_}, log); !ok) return ok;
    netns_made_ = true;
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"ip", "-n", netns_, "link", "set", "lo", "up"},
             {"ip", "-n", netns_, "link", "add", authenticator_if_, "type", "veth", "peer", "name",
              supplicant_if_},
             {"ip", "-n", netns_, "link", "set", authenticator_if_, "up"},
             {"ip", "-n", netns_, "link", "set", supplicant_if_, "up"}}) {
        if (auto ok = run(argv, log); !ok) return ok;
    }
    return {};
}

Expected<void> Dot1xRig::start_radius() {
    const auto conf = dir_ / "radius";
    std::error_code ec;
    fs::create_directories(conf, ec);
    auto ca = read_file(pki_.ca_cert);
    auto crl = read_file(pki_.ca_crl);
    if (!ca || !crl) return rig_error("cannot read the test CA or its CRL in " + pki_.dir.string());
    // One file with the CA and its CRL: freeradius loads both from ca_file (check_crl).
    if (auto ok = write(conf / "ca-and-crl.pem", *ca + *crl); !ok) return ok;
    if (auto ok = write(conf / "radiusd.conf", radius_config(conf, pki_)); !ok) return ok;
    const auto log = dir_ / "radius.log";
    std::vector<std::string> argv{"freeradius", "-f", "-l", "stdout", "-d", conf.string()};
    if (debug()) argv.push_back("-X");
    auto p = Process::spawn(ProcessOptions::of(in_netns(argv))
                                .with_stdout(Output::to_file(log))
                                .with_stderr(Output::append_to_file(log)));
    if (!p) return std::unexpected(p.error());
    radius_.emplace(std::move(*p));
    const bool ready = wait_until(
        [&] {
            auto text = read_file(log);
            return (text && text->find("Ready to process requests") != std::string::npos) ||
                   !radius_->running();
        },
        10s, 20ms);
    if (!ready || !radius_->running()) {
        return rig_error("freeradius did not come up in " + netns_ + "\n" + tail(log));
    }
    return {};
}

Expected<void> Dot1xRig::start_hostapd() {
    hostapd_ctrl_dir_ = dir_ / "hostapd-ctrl";
    const auto conf = dir_ / "hostapd.conf";
    if (auto ok = write(conf, hostapd_config(authenticator_if_, hostapd_ctrl_dir_)); !ok) {
        return ok;
    }
    const auto log = dir_ / "hostapd.log";
    std::vector<std::string> argv{"hostapd", "-t"};
    if (debug()) argv.push_back("-dd");
    argv.push_back(conf.string());
    auto p = Process::spawn(ProcessOptions::of(in_netns(argv))
                                .with_stdout(Output::to_file(log))
                                .with_stderr(Output::append_to_file(log)));
    if (!p) return std::unexpected(p.error());
    hostapd_.emplace(std::move(*p));
    const bool ready = wait_until(
        [&] {
            if (!hostapd_->running()) return true;
            auto text = read_file(log);
            return text && text->find("AP-ENABLED") != std::string::npos &&
                   fs::exists(hostapd_ctrl_dir_ / authenticator_if_);
        },
        10s, 20ms);
    if (!ready || !hostapd_->running()) {
        return rig_error("hostapd did not come up on " + authenticator_if_ + " in " + netns_ +
                         "\n" + tail(log));
    }
    auto pong = hostapd_request("PING");
    if (!pong || *pong != "PONG\n") {
        return rig_error("hostapd does not answer PING: " + (pong ? *pong : pong.error().message) +
                         "\n" + tail(log));
    }
    return {};
}

Dot1xRig::~Dot1xRig() {
    stop_supplicant(true);
    for (auto* p : {&hostapd_, &radius_}) {
        if (*p) (*p)->terminate(2s);
        p->reset();
    }
    if (netns_made_) {
        // Deleting the namespace deletes the veth pair with it.
        (void)run({"ip", "netns", "delete", netns_}, dir_ / "ip.log");
    }
}

SupplicantCredentials Dot1xRig::credentials(const CertKey& client, std::string identity) const {
    return SupplicantCredentials{std::move(identity), pki_.ca_cert, client.cert, client.key};
}

Expected<void> Dot1xRig::write_supplicant_config(const SupplicantCredentials& c,
                                                 const fs::path& ctrl_dir,
                                                 const std::optional<std::string>& group) {
    supplicant_ctrl_dir_ = ctrl_dir;
    supplicant_config_ = dir_ / "wpa_supplicant.conf";
    const std::string ctrl =
        group ? "DIR=" + ctrl_dir.string() + " GROUP=" + *group : ctrl_dir.string();
    const std::string text = "ctrl_interface=" + ctrl +
                             "\n"
                             "ap_scan=0\n"
                             "eapol_version=2\n"
                             "network={\n"
                             "\tkey_mgmt=IEEE8021X\n"
                             "\teap=TLS\n"
                             "\tidentity=\"" +
                             c.identity +
                             "\"\n"
                             "\tca_cert=" +
                             quoted(c.ca_cert) +
                             "\n"
                             "\tclient_cert=" +
                             quoted(c.client_cert) +
                             "\n"
                             "\tprivate_key=" +
                             quoted(c.private_key) +
                             "\n"
                             "\teapol_flags=0\n"
                             "}\n";
    // Written whole and renamed: a RECONFIGURE never reads half a file.
    const auto tmp = supplicant_config_.string() + ".tmp";
    if (auto ok = write(tmp, text); !ok) return ok;
    std::error_code ec;
    fs::rename(tmp, supplicant_config_, ec);
    if (ec) return rig_error("cannot rename " + tmp + ": " + ec.message());
    return {};
}

fs::path Dot1xRig::supplicant_socket() const {
    if (supplicant_ctrl_dir_.empty()) return {};
    return supplicant_ctrl_dir_ / supplicant_if_;
}

Expected<void> Dot1xRig::start_supplicant() {
    if (supplicant_config_.empty()) return rig_error("write_supplicant_config() first");
    if (supplicant_running()) return rig_error("wpa_supplicant is already running");
    const auto log = dir_ / "wpa_supplicant.log";
    std::vector<std::string> argv{
        "wpa_supplicant",           "-t", "-D", "wired", "-i", supplicant_if_, "-c",
        supplicant_config_.string()};
    if (debug()) argv.push_back("-dd");
    auto p = Process::spawn(ProcessOptions::of(in_netns(argv))
                                .with_stdout(Output::append_to_file(log))
                                .with_stderr(Output::append_to_file(log)));
    if (!p) return std::unexpected(p.error());
    supplicant_.emplace(std::move(*p));
    std::string last;
    const bool ready = wait_until(
        [&] {
            if (!supplicant_->running()) return true;
            auto pong = control_request(supplicant_socket(), "PING", dir_, 200ms);
            last = pong ? *pong : pong.error().message;
            return pong && *pong == "PONG\n";
        },
        10s, 10ms);
    if (!ready || !supplicant_->running()) {
        return rig_error("wpa_supplicant did not answer PING on " + supplicant_socket().string() +
                         " (" + last + ")\n" + tail(log));
    }
    return {};
}

void Dot1xRig::stop_supplicant(bool kill) {
    if (!supplicant_) return;
    if (kill) {
        supplicant_->kill9();
    } else {
        supplicant_->terminate(5s);
    }
    supplicant_.reset();
}

bool Dot1xRig::supplicant_running() { return supplicant_ && supplicant_->running(); }

std::string Dot1xRig::authenticator_station() {
    auto sta = hostapd_request("STA-FIRST");
    if (!sta) return "hostapd: " + sta.error().message;
    std::string out;
    for (const char* key : {"flags=", "dot1xAuthSessionUserName="}) {
        const auto at = sta->find(std::string("\n") + key);
        if (at == std::string::npos) continue;
        const auto end = sta->find('\n', at + 1);
        out += (out.empty() ? "" : " ") + sta->substr(at + 1, end - at - 1);
    }
    return out;
}

Expected<std::string> Dot1xRig::hostapd_request(std::string_view command,
                                                std::chrono::milliseconds timeout) {
    return control_request(hostapd_ctrl_dir_ / authenticator_if_, command, dir_, timeout);
}

std::string Dot1xRig::radius_log() const { return read_file(dir_ / "radius.log").value_or(""); }
std::string Dot1xRig::hostapd_log() const { return read_file(dir_ / "hostapd.log").value_or(""); }
std::string Dot1xRig::supplicant_log() const {
    return read_file(dir_ / "wpa_supplicant.log").value_or("");
}

bool Dot1xRig::wait_for_radius_log(std::string_view needle,
                                   std::chrono::milliseconds timeout) const {
    return wait_until([&] { return radius_log().find(needle) != std::string::npos; }, timeout,
                      20ms);
}

std::string Dot1xRig::logs() const {
    return tail(dir_ / "radius.log") + tail(dir_ / "hostapd.log") +
           tail(dir_ / "wpa_supplicant.log");
}

Expected<std::string> control_request(const fs::path& server, std::string_view command,
                                      const fs::path& client_dir,
                                      std::chrono::milliseconds timeout) {
    static std::atomic<unsigned> counter{0};
    const fs::path me = client_dir / ("rig-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(counter.fetch_add(1)));
    sockaddr_un local{};
    sockaddr_un remote{};
    if (me.string().size() >= sizeof local.sun_path ||
        server.string().size() >= sizeof remote.sun_path) {
        return rig_error("socket path too long: " + me.string() + " or " + server.string());
    }
    local.sun_family = remote.sun_family = AF_UNIX;
    std::strcpy(local.sun_path, me.c_str());
    std::strcpy(remote.sun_path, server.c_str());
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return rig_error(std::string("socket: ") + std::strerror(errno));
    struct Cleanup {
        int fd;
        const fs::path& path;
        ~Cleanup() {
            ::close(fd);
            ::unlink(path.c_str());
        }
    } cleanup{fd, me};
    ::unlink(me.c_str());
    auto* local_addr = static_cast<sockaddr*>(static_cast<void*>(&local));
    auto* remote_addr = static_cast<sockaddr*>(static_cast<void*>(&remote));
    if (::bind(fd, local_addr, sizeof local) != 0) {
        return rig_error("bind " + me.string() + ": " + std::strerror(errno));
    }
    if (::connect(fd, remote_addr, sizeof remote) != 0) {
        return rig_error("connect " + server.string() + ": " + std::strerror(errno));
    }
    if (::send(fd, command.data(), command.size(), 0) < 0) {
        return rig_error("send to " + server.string() + ": " + std::strerror(errno));
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string buffer(65536, '\0');
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return rig_error("no answer from " + server.string());
        pollfd pfd{fd, POLLIN, 0};
        const int r = ::poll(&pfd, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (n < 0) return rig_error("recv from " + server.string() + ": " + std::strerror(errno));
        std::string reply = buffer.substr(0, static_cast<std::size_t>(n));
        if (!reply.starts_with('<')) return reply;
    }
}

}  // namespace lintel::test
