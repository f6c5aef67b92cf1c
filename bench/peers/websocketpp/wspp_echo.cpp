// Peer echo server on websocketpp (Debian libwebsocketpp-dev, Asio transport without TLS),
// for side-by-side benchmarks with `wsrelay echo`. One thread runs the io_context; logging is
// off so that it costs nothing per message.
//
//   wspp_echo --port N [--broadcast]
//
// echo:      every message goes back to its sender with the same opcode.
// broadcast: every message goes to every connected client, sender included (websocketpp
//            queues each send per connection and writes them in order).
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

using Server = websocketpp::server<websocketpp::config::asio>;
using websocketpp::connection_hdl;

int main(int argc, char** argv) {
  unsigned short port = 9001;
  bool broadcast = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc)
      port = static_cast<unsigned short>(std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--broadcast") == 0)
      broadcast = true;
    else if (std::strcmp(argv[i], "--host") == 0 && i + 1 < argc)
      ++i;  // always 127.0.0.1
    else {
      std::fprintf(stderr, "usage: wspp_echo --port N [--broadcast]\n");
      return 2;
    }
  }

  Server server;
  std::set<connection_hdl, std::owner_less<connection_hdl>> clients;
  server.clear_access_channels(websocketpp::log::alevel::all);
  server.clear_error_channels(websocketpp::log::elevel::all);
  server.init_asio();
  server.set_reuse_addr(true);
  server.set_listen_backlog(4096);
  // After accept (the socket-init hook runs before the socket is open).
  server.set_tcp_post_init_handler([&](connection_hdl hdl) {
    boost::system::error_code ignored;
    server.get_con_from_hdl(hdl)->get_raw_socket().set_option(boost::asio::ip::tcp::no_delay(true),
                                                              ignored);
  });
  server.set_open_handler([&](connection_hdl hdl) { clients.insert(hdl); });
  server.set_close_handler([&](connection_hdl hdl) { clients.erase(hdl); });
  server.set_fail_handler([&](connection_hdl hdl) { clients.erase(hdl); });
  server.set_message_handler([&](connection_hdl hdl, Server::message_ptr message) {
    websocketpp::lib::error_code ec;
    if (!broadcast) {
      server.send(hdl, message->get_payload(), message->get_opcode(), ec);
      return;
    }
    // One message object shared by every connection's send queue.
    for (const connection_hdl& client : clients) server.send(client, message, ec);
  });

  server.listen(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  server.start_accept();
  std::printf("wspp_echo listening on 127.0.0.1:%u%s\n", port, broadcast ? " (broadcast)" : "");
  std::fflush(stdout);
  server.run();
  return 0;
}
