// Peer echo server on Boost.Beast (Debian libboost-dev), for side-by-side benchmarks with
// `wsrelay echo`. Written the way Beast's own examples are: one single-threaded io_context,
// async accept/read/write, one websocket::stream per client.
//
//   beast_echo --port N [--broadcast]
//
// echo:      every message goes back to its sender, same type (text/binary).
// broadcast: every message goes to every connected client, sender included. The payload is
//            shared (one copy per message, as in Beast's websocket-chat-multi example); each
//            session queues pending messages and writes them one async_write at a time, since
//            a Beast stream allows only one outstanding write.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <unordered_set>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

struct Message {
  std::string data;
  bool text;
};

class Session;

struct Hub {
  bool broadcast = false;
  std::unordered_set<Session*> sessions;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Hub& hub) : ws_(std::move(socket)), hub_(hub) {}

  void start() {
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "beast-echo"); }));
    ws_.async_accept([self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  void deliver(const std::shared_ptr<const Message>& message) {
    queue_.push_back(message);
    if (queue_.size() == 1) write_next();
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;
    hub_.sessions.insert(this);
    joined_ = true;
    read();
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return leave();
    bool text = ws_.got_text();
    if (!hub_.broadcast) {
      // Echo straight from the read buffer, then read again once it is written.
      ws_.text(text);
      ws_.async_write(buffer_.data(),
                      [self = shared_from_this()](beast::error_code wec, std::size_t) {
                        if (wec) return self->leave();
                        self->buffer_.consume(self->buffer_.size());
                        self->read();
                      });
      return;
    }
    auto message =
        std::make_shared<const Message>(Message{beast::buffers_to_string(buffer_.data()), text});
    buffer_.consume(buffer_.size());
    // Safe to iterate: deliver() only starts writes; sessions leave in completion handlers.
    for (Session* session : hub_.sessions) session->deliver(message);
    read();
  }

  void write_next() {
    ws_.text(queue_.front()->text);
    ws_.async_write(asio::buffer(queue_.front()->data),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return self->leave();
                      self->queue_.pop_front();
                      if (!self->queue_.empty()) self->write_next();
                    });
  }

  void leave() {
    if (joined_) hub_.sessions.erase(this);
    joined_ = false;
    queue_.clear();
  }

  websocket::stream<beast::tcp_stream> ws_;
  Hub& hub_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const Message>> queue_;
  bool joined_ = false;
};

class Listener {
 public:
  Listener(asio::io_context& io, tcp::endpoint endpoint, Hub& hub) : acceptor_(io), hub_(hub) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(4096);
  }
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (!ec) {
        socket.set_option(tcp::no_delay(true));
        std::make_shared<Session>(std::move(socket), hub_)->start();
      }
      accept();
    });
  }

 private:
  tcp::acceptor acceptor_;
  Hub& hub_;
};

}  // namespace

int main(int argc, char** argv) {
  unsigned short port = 9001;
  Hub hub;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc)
      port = static_cast<unsigned short>(std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--broadcast") == 0)
      hub.broadcast = true;
    else if (std::strcmp(argv[i], "--host") == 0 && i + 1 < argc)
      ++i;  // always 127.0.0.1
    else {
      std::fprintf(stderr, "usage: beast_echo --port N [--broadcast]\n");
      return 2;
    }
  }
  asio::io_context io(1);  // concurrency hint 1: a single thread, no locking
  Listener listener(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), hub);
  listener.accept();
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code, int) { io.stop(); });
  std::printf("beast_echo listening on 127.0.0.1:%u%s\n", port,
              hub.broadcast ? " (broadcast)" : "");
  std::fflush(stdout);
  io.run();
  return 0;
}
