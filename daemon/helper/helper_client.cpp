// HelperClient: connect, write one line, read one line, all under one steady_timer.
#include "helper/helper_client.hpp"

#include <memory>
#include <optional>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include "helper/protocol.hpp"

namespace lintel::helper {
namespace {

using boost::system::error_code;
using stream_protocol = asio::local::stream_protocol;

std::unexpected<Error> client_error(std::string_view code, std::string message) {
    return make_error(std::string(code), std::move(message));
}

// One request's connection. Owned by the handlers of its pending operations.
class Call : public std::enable_shared_from_this<Call> {
public:
    Call(asio::any_io_executor executor, std::filesystem::path path, std::string request,
         std::chrono::milliseconds deadline, HelperClient::Handler done)
        : socket_(executor),
          timer_(executor),
          path_(std::move(path)),
          request_(std::move(request)),
          deadline_(deadline),
          done_(std::move(done)) {}

    void start() {
        auto self = shared_from_this();
        stream_protocol::endpoint endpoint;
        try {
            endpoint = stream_protocol::endpoint(path_.string());
        } catch (const boost::system::system_error& e) {  // e.g. path longer than sun_path
            asio::post(socket_.get_executor(), [self, what = std::string(e.what())] {
                self->finish(
                    client_error(client_codes::unreachable,
                                 "bad helper socket path " + self->path_.string() + ": " + what));
            });
            return;
        }
        timer_.expires_after(deadline_);
        timer_.async_wait([self](const error_code& ec) {
            if (ec) return;  // cancelled by finish()
            self->finish(client_error(client_codes::timeout,
                                      "no answer from lintel-helper at " + self->path_.string() +
                                          " within " + std::to_string(self->deadline_.count()) +
                                          " ms"));
        });
        socket_.async_connect(endpoint, [self](const error_code& ec) {
            if (self->finished_) return;
            if (ec) {
                self->finish(client_error(client_codes::unreachable,
                                          "cannot connect to lintel-helper at " +
                                              self->path_.string() + ": " + ec.message()));
                return;
            }
            self->send();
        });
    }

private:
    void send() {
        auto self = shared_from_this();
        asio::async_write(socket_, asio::buffer(request_),
                          [self](const error_code& ec, std::size_t) {
                              if (self->finished_) return;
                              // The helper may answer (e.g. too_large) and close before taking
                              // the whole request: read its answer before blaming the write.
                              if (ec) self->write_error_ = ec;
                              self->receive();
                          });
    }

    void receive() {
        auto self = shared_from_this();
        asio::async_read_until(
            socket_, asio::dynamic_buffer(response_, k_max_response_bytes), '\n',
            [self](const error_code& ec, std::size_t n) {
                if (self->finished_) return;
                if (!ec) {
                    auto parsed =
                        parse_response(std::string_view(self->response_).substr(0, n - 1));
                    self->finish(std::move(parsed));
                    return;
                }
                if (ec == asio::error::not_found) {
                    self->finish(client_error(codes::bad_response,
                                              "helper response is longer than " +
                                                  std::to_string(k_max_response_bytes) + " bytes"));
                    return;
                }
                const error_code& cause = self->write_error_ ? self->write_error_ : ec;
                self->finish(client_error(
                    client_codes::io,
                    "lintel-helper at " + self->path_.string() + " closed the connection " +
                        (cause == asio::error::eof ? std::string("without an answer")
                                                   : "without an answer: " + cause.message())));
            });
    }

    void finish(Expected<nlohmann::json> result) {
        if (finished_) return;
        finished_ = true;
        timer_.cancel();
        error_code ignored;
        socket_.close(ignored);  // pending operations complete with operation_aborted
        auto done = std::move(done_);
        done(std::move(result));
    }

    stream_protocol::socket socket_;
    asio::steady_timer timer_;
    std::filesystem::path path_;
    std::string request_;
    std::string response_;
    std::chrono::milliseconds deadline_;
    HelperClient::Handler done_;
    error_code write_error_;
    bool finished_ = false;
};

}  // namespace

HelperClient::HelperClient(asio::any_io_executor executor, std::filesystem::path socket_path)
    : executor_(std::move(executor)), socket_path_(std::move(socket_path)) {}

void HelperClient::async_call(std::string action, nlohmann::json params,
                              std::chrono::milliseconds deadline, Handler done) const {
    auto call = std::make_shared<Call>(executor_, socket_path_, serialise_request(action, params),
                                       deadline, std::move(done));
    call->start();
}

void HelperClient::async_call(std::string action, std::chrono::milliseconds deadline,
                              Handler done) const {
    async_call(std::move(action), nlohmann::json::object(), deadline, std::move(done));
}

}  // namespace lintel::helper
