// Test support: the real wired 802.1X chain in a network namespace of its own — freeradius
// (EAP-TLS only, CRL checked) behind hostapd (driver=wired) on one end of a veth pair, and
// wpa_supplicant (-D wired) on the other, started and restarted by the test.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lintel/error.hpp"
#include "support/pki.hpp"
#include "support/process.hpp"

namespace lintel::test {

// What goes into wpa_supplicant's network block (EAP-TLS).
struct SupplicantCredentials {
    std::string identity;
    std::filesystem::path ca_cert;  // the CA the RADIUS server's certificate must chain to
    std::filesystem::path client_cert;
    std::filesystem::path private_key;
};

// Usage:
//     if (auto why = Dot1xRig::unavailable(); !why.empty()) GTEST_SKIP() << why;
//     auto rig = Dot1xRig::start(dir / "rig");          // PKI, netns, veth, freeradius, hostapd
//     ASSERT_TRUE(rig) << rig.error().message;
//     ASSERT_TRUE((*rig)->write_supplicant_config((*rig)->credentials((*rig)->pki().dot1x_a,
//                                                   "dot1x-a"), dir / "ctrl"));
//     ASSERT_TRUE((*rig)->start_supplicant());           // returns once its socket answers PING
//     // WpaControl on (*rig)->supplicant_socket() ...
// Everything is torn down by the destructor (processes, then the namespace with its veth pair),
// also when the test failed; a namespace left behind by a test process that was killed is
// removed by the next rig that starts.
class Dot1xRig {
public:
    // Empty when the rig can run here, else why not (not root; a program missing, with the
    // package that brings it): for GTEST_SKIP.
    static std::string unavailable();

    // Makes `dir` (the PKI, configs, logs and control sockets live there), then the chain up to
    // hostapd, each step polled with a deadline. Errors name the step and quote its log.
    static Expected<std::unique_ptr<Dot1xRig>> start(const std::filesystem::path& dir);

    ~Dot1xRig();
    Dot1xRig(const Dot1xRig&) = delete;
    Dot1xRig& operator=(const Dot1xRig&) = delete;

    const Pki& pki() const { return pki_; }
    // Credentials for `client` (one of pki()'s) that trust the test CA.
    SupplicantCredentials credentials(const CertKey& client, std::string identity) const;

    const std::string& netns() const { return netns_; }
    const std::string& supplicant_ifname() const { return supplicant_if_; }
    const std::string& authenticator_ifname() const { return authenticator_if_; }
    const std::filesystem::path& dir() const { return dir_; }

    // (Re)writes wpa_supplicant's configuration file (ctrl_interface=`ctrl_dir`, ap_scan=0, one
    // EAP-TLS network). A running wpa_supplicant reads it on RECONFIGURE or a restart. With
    // `group`, ctrl_interface=DIR=`ctrl_dir` GROUP=`group`, as lintel-helper writes it (a
    // RECONFIGURE that changes the ctrl_interface line makes wpa_supplicant re-create its socket).
    Expected<void> write_supplicant_config(const SupplicantCredentials& credentials,
                                           const std::filesystem::path& ctrl_dir,
                                           const std::optional<std::string>& group = {});
    const std::filesystem::path& supplicant_config() const { return supplicant_config_; }
    // <ctrl_dir>/<ifname>: the socket a client talks to (empty before a config was written).
    std::filesystem::path supplicant_socket() const;

    // Starts wpa_supplicant in the namespace; returns once its control socket answers PING.
    Expected<void> start_supplicant();
    // SIGTERM (it says CTRL-EVENT-TERMINATING and removes its socket) or SIGKILL (the socket
    // file stays behind, with nobody behind it).
    void stop_supplicant(bool kill = false);
    bool supplicant_running();

    // A request to hostapd's control socket (the authenticator's view), e.g. "STA-FIRST".
    Expected<std::string> hostapd_request(
        std::string_view command, std::chrono::milliseconds timeout = std::chrono::seconds(2));

    // The authenticator's view of the station in one line:
    // "flags=[AUTHORIZED] dot1xAuthSessionUserName=dot1x-a" (or "hostapd: <error>").
    std::string authenticator_station();

    std::string radius_log() const;
    std::string hostapd_log() const;
    std::string supplicant_log() const;
    // Polls the RADIUS log for `needle` (its Auth: lines say "Login OK: [identity]" or why not).
    bool wait_for_radius_log(std::string_view needle, std::chrono::milliseconds timeout) const;
    // The last lines of every log, for a failure message.
    std::string logs() const;

private:
    Dot1xRig() = default;
    Expected<void> make_namespace();
    Expected<void> start_radius();
    Expected<void> start_hostapd();
    std::vector<std::string> in_netns(std::vector<std::string> argv) const;

    std::filesystem::path dir_;
    Pki pki_;
    std::string netns_;
    bool netns_made_ = false;
    std::string authenticator_if_;
    std::string supplicant_if_;
    std::filesystem::path hostapd_ctrl_dir_;
    std::filesystem::path supplicant_config_;
    std::filesystem::path supplicant_ctrl_dir_;
    std::optional<Process> radius_;
    std::optional<Process> hostapd_;
    std::optional<Process> supplicant_;
};

// One request to a wpa_supplicant/hostapd control socket, synchronously (the rig's own client,
// independent of lintel's WpaControl): binds a socket in `client_dir`, sends, waits for the
// first reply that is not an event.
Expected<std::string> control_request(const std::filesystem::path& server, std::string_view command,
                                      const std::filesystem::path& client_dir,
                                      std::chrono::milliseconds timeout);

}  // namespace lintel::test
