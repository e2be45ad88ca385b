// ControlServer and its per-connection state machine: read (deadline) → ask the service
// (deadline) → write (deadline) → close. One request per connection (docs/lintelctl.md).
#include "control/control_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <exception>

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include "common/strict_json.hpp"

namespace lintel::control {

using boost::system::error_code;
using stream_protocol = asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;

namespace {

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

// Read-only commands are routine (a monitoring script may poll status): debug. Changes: info.
bool changes_state(Command command) {
    return command == Command::reload || command == Command::log_level;
}

}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(ControlServer& server, std::uint64_t id, stream_protocol::socket socket, Peer peer,
               bool counted)
        : server_(&server),
          id_(id),
          socket_(std::move(socket)),
          timer_(socket_.get_executor()),
          peer_(std::move(peer)),
          counted_(counted),
          started_(Clock::now()) {}

    // Reads one request and answers it.
    void serve() {
        auto self = shared_from_this();
        phase_ = Phase::reading;
        timer_.expires_after(server_->options_.read_timeout);
        timer_.async_wait([self](const error_code& ec) {
            if (ec || !self->server_ || self->phase_ != Phase::reading) return;
            error_code ignored;
            self->socket_.cancel(ignored);  // the read completes with operation_aborted
            self->fail(Error{std::string(codes::timeout),
                             "no complete request line within " +
                                 ms_text(self->server_->options_.read_timeout)});
        });
        asio::async_read_until(
            socket_, asio::dynamic_buffer(buffer_, k_max_request_bytes + 1), '\n',
            [self](const error_code& ec, std::size_t n) { self->on_read(ec, n); });
    }

    // Answers `error` at once without reading anything (refused, busy): nothing an unwelcome
    // peer sends is ever parsed. The server has logged it already.
    void reject(Error error) {
        log_outcome_ = false;
        respond(serialise_error(error));
    }

    // The server is stopping (or gone): drop everything, call back into it never again.
    void close() {
        server_ = nullptr;
        phase_ = Phase::done;
        error_code ignored;
        timer_.cancel(ignored);
        socket_.close(ignored);
    }

private:
    enum class Phase { reading, waiting, writing, done };

    void on_read(const error_code& ec, std::size_t n) {
        if (!server_ || phase_ != Phase::reading) return;
        if (ec == asio::error::not_found) {
            fail(Error{
                std::string(codes::too_large),
                "request line is longer than " + std::to_string(k_max_request_bytes) + " bytes"});
            return;
        }
        if (ec == asio::error::eof && buffer_.empty()) {
            // A probe (connect and close) is not worth a warning.
            outcome_ = "closed";
            detail_ = "the peer closed the connection without a request";
            finish();
            return;
        }
        if (ec == asio::error::eof) {
            fail(Error{std::string(codes::malformed), "request ended without a newline"});
            return;
        }
        if (ec) {
            outcome_ = "io";
            detail_ = "reading the request: " + ec.message();
            finish();
            return;
        }
        const std::string_view line(buffer_.data(), n - 1);
        auto request = parse_request(line);
        if (!request) {
            if (auto cmd = peek_command(line)) what_ = common::printable(*cmd, 40);
            fail(request.error());
            return;
        }
        what_ = describe(*request);
        command_ = request->command;
        if (server_->on_request_) {
            try {
                server_->on_request_(peer_, *request);
            } catch (const std::exception& e) {
                server_->log_.error(std::string("control: the on_request hook threw: ") + e.what());
            }
        }
        dispatch(*request);
    }

    void dispatch(const Request& request) {
        auto self = shared_from_this();
        phase_ = Phase::waiting;
        timer_.expires_after(server_->options_.command_timeout);
        timer_.async_wait([self](const error_code& ec) {
            if (ec || !self->server_ || self->phase_ != Phase::waiting) return;
            self->fail(Error{std::string(codes::timeout),
                             "linteld did not answer " +
                                 std::string(command_name(*self->command_)) + " within " +
                                 ms_text(self->server_->options_.command_timeout)});
        });
        // The service may answer from any thread, twice by mistake, or after the server is
        // gone: the first answer is posted to the loop, where on_reply sorts it out.
        auto answered = std::make_shared<std::atomic<bool>>(false);
        auto executor = socket_.get_executor();
        ControlService::Reply reply = [self, executor, answered](Expected<nlohmann::json> r) {
            if (answered->exchange(true)) return;
            asio::post(executor,
                       [self, r = std::move(r)]() mutable { self->on_reply(std::move(r)); });
        };
        ControlService& service = server_->service_;
        try {
            switch (request.command) {
                case Command::status:
                    service.status(std::move(reply));
                    break;
                case Command::queue:
                    service.queue(std::move(reply));
                    break;
                case Command::points:
                    service.points(request.device, std::move(reply));
                    break;
                case Command::audit:
                    service.audit(request.since_ms, request.limit, std::move(reply));
                    break;
                case Command::check_config:
                    service.check_config(std::move(reply));
                    break;
                case Command::reload:
                    service.reload(std::move(reply));
                    break;
                case Command::log_level:
                    service.set_log_level(request.level, std::move(reply));
                    break;
            }
        } catch (const std::exception& e) {
            answer_thrown(e.what(), answered);
        } catch (...) {  // whatever it was must not unwind through the daemon's loop
            answer_thrown("an unknown exception", answered);
        }
    }

    void answer_thrown(const std::string& what,
                       const std::shared_ptr<std::atomic<bool>>& answered) {
        server_->log_.error("control: " + std::string(command_name(*command_)) + " threw: " + what +
                            "; answered control.internal");
        // The reply may be moved-from: answer directly (still through the loop).
        if (answered->exchange(true)) return;
        auto self = shared_from_this();
        asio::post(socket_.get_executor(), [self, what] {
            self->on_reply(
                make_error(std::string(codes::internal), "linteld failed to answer: " + what));
        });
    }

    void on_reply(Expected<nlohmann::json> result) {
        if (!server_ || phase_ != Phase::waiting) return;  // timed out, or stopped
        if (!result) {
            fail(result.error());
            return;
        }
        if (!result->is_object()) {
            server_->log_.error("control: linteld answered " +
                                std::string(command_name(*command_)) + " with a JSON " +
                                result->type_name() + ", not an object (a bug)");
            fail(Error{std::string(codes::internal), "linteld's answer was not a JSON object"});
            return;
        }
        outcome_ = "ok";
        respond(serialise_ok(*result));
    }

    void fail(Error error) {
        outcome_ = error.code;
        detail_ = error.message;
        respond(serialise_error(error));
    }

    void respond(std::string payload) {
        auto self = shared_from_this();
        phase_ = Phase::writing;
        response_ = std::move(payload);
        timer_.expires_after(server_->options_.write_timeout);
        timer_.async_wait([self](const error_code& ec) {
            if (ec || !self->server_ || self->phase_ != Phase::writing) return;
            self->undelivered_ = "the peer did not take the response within " +
                                 ms_text(self->server_->options_.write_timeout);
            self->finish();
        });
        asio::async_write(
            socket_, asio::buffer(response_), [self](const error_code& ec, std::size_t) {
                if (!self->server_ || self->phase_ != Phase::writing) return;
                if (ec) {
                    self->undelivered_ = ec.message();
                } else {
                    error_code ignored;  // the peer sees EOF right after the line
                    self->socket_.shutdown(stream_protocol::socket::shutdown_send, ignored);
                }
                self->finish();
            });
    }

    void finish() {
        if (!server_) return;
        ControlServer* server = server_;
        if (log_outcome_) log_line(*server);
        close();
        server->forget(id_, counted_);
    }

    void log_line(ControlServer& server) const {
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count();
        const std::string uid = std::to_string(peer_.uid);
        const std::string pid = std::to_string(peer_.pid);
        std::string message = "control: " + what_ + " from uid " + uid + " (pid " + pid +
                              "): " + outcome_ + " in " + std::to_string(ms) + " ms";
        if (!detail_.empty()) message += " (" + detail_ + ")";
        if (!undelivered_.empty()) message += "; response not delivered: " + undelivered_;
        sdk::LogLevel level = sdk::LogLevel::debug;
        if (outcome_ != "ok" && outcome_ != "closed") {
            level = sdk::LogLevel::warning;
        } else if (!undelivered_.empty() || (command_ && changes_state(*command_))) {
            level = sdk::LogLevel::info;
        }
        server.log_.log(
            level, message,
            {{"PEER_UID", uid}, {"PEER_PID", pid}, {"COMMAND", what_}, {"OUTCOME", outcome_}});
    }

    ControlServer* server_;  // null once closed
    std::uint64_t id_;
    stream_protocol::socket socket_;
    asio::steady_timer timer_;
    Peer peer_;
    bool counted_;
    Clock::time_point started_;
    Phase phase_ = Phase::reading;
    std::string buffer_;
    std::string response_;
    std::optional<Command> command_;
    std::string what_ = "-";  // the request, for the log line
    std::string outcome_ = "-";
    std::string detail_;
    std::string undelivered_;
    bool log_outcome_ = true;
};

ControlServer::ControlServer(asio::any_io_executor executor, ControlService& service,
                             sdk::Logger& log, ControlServerOptions options)
    : executor_(executor),
      service_(service),
      log_(log),
      options_(std::move(options)),
      acceptor_(executor),
      accept_retry_(executor) {}

ControlServer::~ControlServer() { stop(); }

Expected<void> ControlServer::start() {
    if (started_ || stopped_) {
        return make_error("control.socket", "the control server was already started");
    }
    AdminGroup admin = resolve_admin_group(options_.admin_group, options_.admin_gid);
    if (!admin.note.empty()) log_.warning("control: " + admin.note);
    policy_.emplace(::geteuid(), admin);

    auto listen = options_.listen_fd
                      ? adopt_listen_socket(*options_.listen_fd)
                      : create_listen_socket(options_.socket_path, admin.gid, admin.name);
    if (!listen) return std::unexpected(listen.error());
    listen_ = std::move(*listen);
    error_code ec;
    acceptor_.assign(stream_protocol(), listen_.fd, ec);
    if (ec) {
        if (listen_.created) {  // an adopted fd stays the caller's (see ControlServerOptions)
            remove_socket_file(listen_);
            ::close(listen_.fd);
        }
        return make_error("control.socket", "cannot use the control socket " +
                                                listen_.path.string() + ": " + ec.message());
    }
    if (!listen_.note.empty()) log_.warning("control: " + listen_.note);
    started_ = true;
    const std::string where =
        listen_.path.empty() ? std::string("(unnamed)") : listen_.path.string();
    log_.info("control: listening on " + where + (options_.listen_fd ? " (from systemd)" : "") +
                  "; " + policy_->summary() + " may connect",
              {{"SOCKET", where}});
    accept_next();
    return {};
}

void ControlServer::stop() {
    if (stopped_) return;
    stopped_ = true;
    life_.reset();
    // The file first: while our socket is open its inode cannot be reused by another file at
    // the same path, so the identity check in remove_socket_file is sound.
    if (started_) remove_socket_file(listen_);
    error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel(ignored);
    auto open = std::move(connections_);
    connections_.clear();
    serving_ = 0;
    for (auto& [id, connection] : open) connection->close();
    if (started_) log_.info("control: socket closed", {{"SOCKET", listen_.path.string()}});
}

void ControlServer::accept_next() {
    std::weak_ptr<int> life = life_;
    acceptor_.async_accept([this, life](const error_code& ec, stream_protocol::socket socket) {
        if (life.expired() || stopped_) return;
        if (ec) {
            // EMFILE and friends: pause instead of spinning on a failing accept.
            log_.warning("control: accept failed: " + ec.message() + "; retrying in 1 s");
            accept_retry_.expires_after(std::chrono::seconds(1));
            accept_retry_.async_wait([this, life](const error_code& wait_ec) {
                if (wait_ec || life.expired() || stopped_) return;
                accept_next();
            });
            return;
        }
        on_accept(std::move(socket));
        accept_next();
    });
}

void ControlServer::on_accept(stream_protocol::socket socket) {
    auto peer = read_peer(socket.native_handle());
    if (!peer) {
        log_.error("control: cannot identify a peer: " + peer.error().message +
                   "; closing its connection");
        return;  // the socket closes on scope exit
    }
    const std::uint64_t id = next_id_++;
    if (auto reason = policy_->refusal(*peer)) {
        log_.warning("control: refused uid " + std::to_string(peer->uid) + " (pid " +
                         std::to_string(peer->pid) + "): " + *reason,
                     {{"PEER_UID", std::to_string(peer->uid)},
                      {"PEER_PID", std::to_string(peer->pid)},
                      {"OUTCOME", std::string(codes::refused)}});
        if (on_refused_) {
            try {
                on_refused_(*peer, *reason);
            } catch (const std::exception& e) {
                log_.error(std::string("control: the on_refused hook threw: ") + e.what());
            }
        }
        auto c = std::make_shared<Connection>(*this, id, std::move(socket), *peer, false);
        connections_.emplace(id, c);
        c->reject(Error{std::string(codes::refused), *reason});
        return;
    }
    if (serving_ >= options_.max_connections) {
        log_busy(*peer);
        auto c = std::make_shared<Connection>(*this, id, std::move(socket), *peer, false);
        connections_.emplace(id, c);
        c->reject(Error{std::string(codes::busy),
                        "linteld is serving " + std::to_string(options_.max_connections) +
                            " control connections already; try again in a moment"});
        return;
    }
    ++serving_;
    auto c = std::make_shared<Connection>(*this, id, std::move(socket), std::move(*peer), true);
    connections_.emplace(id, c);
    c->serve();
}

void ControlServer::forget(std::uint64_t id, bool counted) {
    if (connections_.erase(id) == 1 && counted && serving_ > 0) --serving_;
}

void ControlServer::log_busy(const Peer& peer) {
    // A script stuck in a loop must not flood the journal: one line per 10 s, with a count.
    const auto now = Clock::now();
    if (busy_logged_at_ != Clock::time_point{} &&
        now - busy_logged_at_ < std::chrono::seconds(10)) {
        ++busy_unlogged_;
        return;
    }
    std::string message = "control: too many connections (" +
                          std::to_string(options_.max_connections) +
                          " being served); answered uid " + std::to_string(peer.uid) + " (pid " +
                          std::to_string(peer.pid) + ") control.busy";
    if (busy_unlogged_ > 0) {
        message += "; " + std::to_string(busy_unlogged_) + " more since the last such line";
    }
    busy_logged_at_ = now;
    busy_unlogged_ = 0;
    log_.warning(message,
                 {{"PEER_UID", std::to_string(peer.uid)}, {"OUTCOME", std::string(codes::busy)}});
}

}  // namespace lintel::control
