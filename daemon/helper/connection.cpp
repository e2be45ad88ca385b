// serve_connection: the order of checks for one request, and its log line.
#include "helper/connection.hpp"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "helper/helper_log.hpp"
#include "helper/protocol.hpp"
#include "helper/request_io.hpp"

namespace lintel::helper {
namespace {

using Clock = std::chrono::steady_clock;

struct Outcome {
    std::optional<Error> error;  // nullopt: served ok
    std::string action = "-";    // quoted for the log once known
    std::optional<PeerCredentials> peer;
};

void log_outcome(const Outcome& outcome, Clock::time_point started,
                 const std::optional<Error>& send_error) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    std::string line;
    if (!outcome.error) {
        line = "request served:";
    } else if (outcome.error->code == codes::peer_refused) {
        line = "request refused:";
    } else {
        line = "request failed:";
    }
    if (outcome.peer) {
        line += " uid=" + std::to_string(outcome.peer->uid) +
                " pid=" + std::to_string(outcome.peer->pid);
    } else {
        line += " uid=? pid=?";
    }
    line += " action=" + outcome.action;
    line += " outcome=" + (outcome.error ? outcome.error->code : std::string("ok"));
    line += " duration_ms=" + std::to_string(ms);
    if (outcome.error) line += " (" + outcome.error->message + ")";
    if (send_error) line += "; response not delivered: " + send_error->message;
    log_line(outcome.error || send_error ? LogLevel::warning : LogLevel::info, line);
}

}  // namespace

bool serve_connection(int fd, const PeerPolicy& policy, const ActionTable& actions,
                      const ActionContext& context, const ConnectionSettings& settings) {
    const auto started = Clock::now();
    Outcome outcome;
    bool helper_ok = true;

    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        log_line(LogLevel::error, std::string("cannot make the connection non-blocking: ") +
                                      std::strerror(errno) + "; closing it unanswered");
        return false;
    }

    auto peer = read_peer_credentials(fd);
    if (!peer) {
        outcome.error = peer.error();
        helper_ok = false;
    } else {
        outcome.peer = *peer;
    }

    ActionResult result = make_error(std::string(codes::internal), "not run");
    if (!outcome.error) {
        // The request is read even from a peer that will be refused, so the log can say what
        // it asked for; the parser is bounded (k_max_request_bytes, deadline) and fuzzed.
        auto line = read_request_line(fd, settings.read_timeout, k_max_request_bytes);
        std::optional<Request> request;
        if (!line) {
            outcome.error = line.error();
        } else if (auto parsed = parse_request(*line); !parsed) {
            outcome.error = parsed.error();
            if (auto action = peek_action(*line)) outcome.action = log_quoted(*action);
        } else {
            request = std::move(*parsed);
            outcome.action = log_quoted(request->action);
        }

        if (!policy.allows(outcome.peer->uid)) {
            if (!policy.note().empty()) log_line(LogLevel::warning, policy.note());
            outcome.error =
                Error{std::string(codes::peer_refused), "uid " + std::to_string(outcome.peer->uid) +
                                                            " is not allowed to use lintel-helper"};
        } else if (request) {
            ActionContext asked_by = context;
            asked_by.peer_uid = outcome.peer->uid;
            result = dispatch(actions, *request, asked_by);
            if (!result) outcome.error = result.error();
        }
    }

    const std::string response =
        outcome.error ? serialise_error(*outcome.error) : serialise_ok(*result);
    auto sent = write_response(fd, response, settings.write_timeout);
    std::optional<Error> send_error;
    if (!sent) {
        send_error = sent.error();  // usually the peer gave up first: logged, not a failure
    } else {
        ::shutdown(fd, SHUT_WR);  // the peer sees EOF right after the line
    }
    log_outcome(outcome, started, send_error);
    return helper_ok;
}

}  // namespace lintel::helper
