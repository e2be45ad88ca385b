// AuthTracker: which events end a wait for authorization, and how a failure is explained.
#include "wpa/auth_tracker.hpp"

namespace lintel::wpa {
namespace {

constexpr std::size_t k_max_details = 8;

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += "; ";
        out += p;
    }
    return out;
}

}  // namespace

bool AuthTracker::authorized(const Status& status) const {
    return policy_.medium == Medium::wired ? status.port_authorized() : status.completed();
}

AuthTracker::Verdict AuthTracker::on_status(const Status& status) {
    last_status_ = status;
    if (!authorized(status)) return Verdict::pending;
    if (policy_.require_fresh_success && !fresh_success_) return Verdict::pending;
    return Verdict::authorized;
}

AuthTracker::Verdict AuthTracker::on_event(const Event& event) {
    auto note = [&](std::string detail) {
        if (details_.size() < k_max_details) details_.push_back(std::move(detail));
    };
    auto fail = [&](std::string what) {
        failure_ = std::move(what);
        if (!method_.empty()) failure_ += " (EAP-" + method_ + ")";
        if (!details_.empty()) failure_ += ": " + joined(details_);
        return policy_.stop_on_failure ? Verdict::failed : Verdict::pending;
    };
    switch (event.kind) {
        case EventKind::eap_started:
            details_.clear();
            method_.clear();
            return Verdict::pending;
        case EventKind::eap_method: {
            // "EAP vendor 0 method 13 (TLS) selected"
            const auto open = event.text.find('(');
            const auto close = event.text.find(')', open);
            if (open != std::string::npos && close != std::string::npos) {
                method_ = event.text.substr(open + 1, close - open - 1);
            }
            return Verdict::pending;
        }
        case EventKind::eap_status: {
            const std::string* status = event.param("status");
            const std::string* parameter = event.param("parameter");
            if (status == nullptr) return Verdict::pending;
            // Progress reports say nothing about a failure; the rest does ("local TLS alert:
            // unknown CA", "remote certificate verification: <openssl error>", ...).
            if (*status == "started" || *status == "accept proposed method" ||
                *status == "completion") {
                return Verdict::pending;
            }
            if (parameter != nullptr && *parameter == "success") return Verdict::pending;
            note(*status + (parameter != nullptr && !parameter->empty() ? ": " + *parameter : ""));
            return Verdict::pending;
        }
        case EventKind::eap_tls_cert_error: {
            const std::string* subject = event.param("subject");
            const std::string* depth = event.param("depth");
            std::string detail = "server certificate refused";
            if (subject != nullptr) detail += " (subject '" + *subject + "'";
            if (subject != nullptr && depth != nullptr) detail += ", depth " + *depth;
            if (subject != nullptr) detail += ")";
            note(std::move(detail));
            return Verdict::pending;
        }
        case EventKind::eap_success:
            fresh_success_ = true;
            failure_.clear();
            return Verdict::check_status;
        case EventKind::connected:
            if (policy_.medium == Medium::wireless) fresh_success_ = true;
            return Verdict::check_status;
        case EventKind::eap_failure:
            return fail("EAP authentication failed");
        case EventKind::eap_timeout_failure:
            return fail("EAP authentication timed out (no answer from the authentication server)");
        case EventKind::ssid_temp_disabled: {
            // Wired: a reconfigured network block may report the failures of the one it
            // replaced; only Wi-Fi's reasons (WRONG_KEY, AUTH_FAILED, CONN_FAILED) end a wait.
            if (policy_.medium != Medium::wireless) return Verdict::pending;
            const std::string* why = event.param("reason");
            return fail("network temporarily disabled" +
                        (why != nullptr ? " (reason " + *why + ")" : std::string()));
        }
        case EventKind::assoc_reject:
            if (policy_.medium == Medium::wireless) note("association rejected: " + event.text);
            return Verdict::pending;
        case EventKind::terminating:
            note("wpa_supplicant terminated");
            return Verdict::pending;
        default:
            return Verdict::pending;
    }
}

}  // namespace lintel::wpa
