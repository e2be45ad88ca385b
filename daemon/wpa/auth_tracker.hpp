// Decides from STATUS replies and events whether wpa_supplicant got authorized or why not: the
// logic of await_authorized without asio (unit-tested and fuzzed on its own).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "wpa/event.hpp"
#include "wpa/status.hpp"

namespace lintel::wpa {

enum class Medium {
    wired,     // IEEE 802.1X on Ethernet: authorized = suppPortStatus=Authorized (wpa_state says
               // COMPLETED even while the port is unauthorized, e.g. after LOGOFF)
    wireless,  // Wi-Fi: authorized = wpa_state=COMPLETED (keys installed)
};

struct AuthPolicy {
    Medium medium = Medium::wired;
    // An EAP failure ends the wait at once (the supplicant would only retry after its held
    // period, 60 s by default). Off: wait for a later success until the deadline.
    bool stop_on_failure = true;
    // Only a success seen during the wait counts: an authorized STATUS must follow an
    // EAP-SUCCESS event (wired) or a CONNECTED event (wireless).
    bool require_fresh_success = false;
};

class AuthTracker {
public:
    enum class Verdict {
        pending,       // keep waiting
        check_status,  // ask STATUS: an event hinted at success, or events may have been missed
        authorized,
        failed,  // failure_reason() says why
    };

    explicit AuthTracker(AuthPolicy policy) : policy_(policy) {}

    Verdict on_status(const Status& status);
    Verdict on_event(const Event& event);
    // After a (re-)attach: events of the gap are lost, the state is asked again.
    Verdict on_reattached() { return Verdict::check_status; }

    // The last EAP failure with what wpa_supplicant reported before it ("EAP authentication
    // failed (EAP-TLS): local TLS alert: unknown CA"); empty when there was none.
    const std::string& failure_reason() const { return failure_; }
    const std::optional<Status>& last_status() const { return last_status_; }
    bool authorized(const Status& status) const;

private:
    AuthPolicy policy_;
    std::optional<Status> last_status_;
    std::string method_;                // from CTRL-EVENT-EAP-METHOD: "TLS"
    std::vector<std::string> details_;  // since the last EAP-STARTED
    std::string failure_;
    bool fresh_success_ = false;
};

}  // namespace lintel::wpa
