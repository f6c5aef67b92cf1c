/* floor_echo: the kernel's price for the echo benchmark, and nothing else.
 *
 * Not a WebSocket server: the smallest program that wsbench's echo mode accepts as one. It
 * accepts, answers the opening handshake (101 with the right Sec-WebSocket-Accept, RFC 6455
 * §4.2.2), and then, for each readable socket, makes exactly one recv() and at most one send():
 * every complete client frame in what recv() returned is unmasked (§5.3) and written back
 * unmasked with the same first byte (FIN + opcode), all of them in that one send(). A Close is
 * answered with a Close and the socket closed. No fragmentation checks, no UTF-8 validation,
 * no limits beyond the buffers below, no output queue: a send() the kernel does not take
 * whole closes the connection (counted, and printed on exit). What wsrelay echo does beyond
 * this is what the benchmark's "ratio to the floor" measures.
 *
 *   floor_echo --port N [--host 127.0.0.1]
 *
 * Level-triggered epoll, EPOLLIN only, registered once per connection; TCP_NODELAY once at
 * accept, as every peer in bench/peers does. Built by bench/peers/Makefile (make bench).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kMaxFds = 1 << 20, kBufBytes = 256 * 1024, kHeadBytes = 4096, kMaxEvents = 1024 };

/* Per descriptor: NULL before the upgrade completed means "reading the request"; after it,
 * `held` keeps the bytes of a frame that a recv() cut in two (rare at this load). */
struct conn {
  int upgraded;
  size_t used;
  unsigned char* held; /* kHeadBytes during the request, kBufBytes after (allocated lazily) */
};

static struct conn* conns;
static unsigned char in_buf[kBufBytes * 2];
static unsigned char out_buf[kBufBytes * 2];
static volatile sig_atomic_t stop;
static unsigned long short_sends, oversized;

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static void drop(int epfd, int fd) {
  epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  free(conns[fd].held);
  memset(&conns[fd], 0, sizeof conns[fd]);
}

/* The value of header `name` in the request head, or NULL. */
static const char* header_value(const char* head, const char* name, size_t* length) {
  size_t n = strlen(name);
  for (const char* line = strstr(head, "\r\n"); line && line[2] != '\r'; line = strstr(line + 2, "\r\n")) {
    const char* p = line + 2;
    if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
      p += n + 1;
      while (*p == ' ' || *p == '\t') ++p;
      const char* end = strstr(p, "\r\n");
      while (end > p && (end[-1] == ' ' || end[-1] == '\t')) --end;
      *length = (size_t)(end - p);
      return p;
    }
  }
  return NULL;
}

static void read_request(int epfd, int fd) {
  struct conn* c = &conns[fd];
  if (!c->held && !(c->held = malloc(kHeadBytes))) return drop(epfd, fd);
  ssize_t n = recv(fd, c->held + c->used, kHeadBytes - 1 - c->used, 0);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    return drop(epfd, fd);
  }
  c->used += (size_t)n;
  c->held[c->used] = 0;
  const char* head = (const char*)c->held;
  if (!strstr(head, "\r\n\r\n")) {
    if (c->used >= kHeadBytes - 1) drop(epfd, fd);
    return;
  }
  size_t key_length = 0;
  const char* key = header_value(head, "Sec-WebSocket-Key", &key_length);
  if (!key || key_length > 64) {
    static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    send(fd, bad, sizeof bad - 1, MSG_NOSIGNAL);
    return drop(epfd, fd);
  }
  /* §4.2.2: base64(SHA-1(key + GUID)). */
  char joined[128];
  memcpy(joined, key, key_length);
  memcpy(joined + key_length, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1((const unsigned char*)joined, key_length + 36, digest);
  char accept_value[64];
  EVP_EncodeBlock((unsigned char*)accept_value, digest, SHA_DIGEST_LENGTH);
  char response[256];
  int length = snprintf(response, sizeof response,
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Accept: %s\r\n\r\n",
                        accept_value);
  if (send(fd, response, (size_t)length, MSG_NOSIGNAL) != length) return drop(epfd, fd);
  /* wsbench sends nothing before the 101: whatever followed the head is not expected. */
  free(c->held);
  c->held = NULL;
  c->used = 0;
  c->upgraded = 1;
}

static void echo(int epfd, int fd) {
  struct conn* c = &conns[fd];
  /* A frame cut by the previous recv() is completed in front of this one's bytes. */
  size_t have = c->used;
  if (have) memcpy(in_buf, c->held, have);
  ssize_t n = recv(fd, in_buf + have, kBufBytes, 0);
  if (n <= 0) {
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    return drop(epfd, fd);
  }
  have += (size_t)n;
  size_t at = 0, out = 0;
  int closing = 0;
  while (at + 2 <= have) {
    const unsigned char* p = in_buf + at;
    uint64_t length = p[1] & 0x7f;
    size_t header = 2;
    if (length == 126) {
      if (at + 4 > have) break;
      length = ((uint64_t)p[2] << 8) | p[3];
      header = 4;
    } else if (length == 127) {
      if (at + 10 > have) break;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
      header = 10;
    }
    if (length > kBufBytes - 14) {
      ++oversized;
      return drop(epfd, fd);
    }
    if (at + header + 4 + length > have) break; /* client frames carry a 4-byte mask key */
    const unsigned char* mask = p + header;
    const unsigned char* payload = mask + 4;
    unsigned char* o = out_buf + out;
    const unsigned opcode = p[0] & 0x0f;
    o[0] = opcode == 0x9 ? (unsigned char)((p[0] & 0xf0) | 0xA) : p[0]; /* Ping -> Pong */
    size_t oh = 2;
    if (length < 126) {
      o[1] = (unsigned char)length;
    } else if (length <= 0xffff) {
      o[1] = 126;
      o[2] = (unsigned char)(length >> 8);
      o[3] = (unsigned char)length;
      oh = 4;
    } else {
      o[1] = 127;
      for (int i = 0; i < 8; ++i) o[2 + i] = (unsigned char)(length >> (56 - 8 * i));
      oh = 10;
    }
    for (uint64_t i = 0; i < length; ++i) o[oh + i] = payload[i] ^ mask[i & 3];
    out += oh + length;
    at += header + 4 + length;
    if (opcode == 0x8) {
      closing = 1;
      break;
    }
  }
  if (out && send(fd, out_buf, out, MSG_NOSIGNAL) != (ssize_t)out) {
    ++short_sends;
    return drop(epfd, fd);
  }
  if (closing) return drop(epfd, fd);
  c->used = have - at;
  if (c->used) {
    if (!c->held && !(c->held = malloc(kBufBytes))) return drop(epfd, fd);
    memmove(c->held, in_buf + at, c->used);
  }
}

int main(int argc, char** argv) {
  const char* host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0) port = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--host") == 0) host = argv[i + 1];
  }
  if (port <= 0 || port > 65535) {
    fprintf(stderr, "usage: floor_echo --port N [--host 127.0.0.1]\n");
    return 2;
  }
  conns = calloc(kMaxFds, sizeof *conns);
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (!conns || inet_pton(AF_INET, host, &addr.sin_addr) != 1 ||
      bind(lfd, (struct sockaddr*)&addr, sizeof addr) != 0 || listen(lfd, 4096) != 0) {
    perror("floor_echo: listen");
    return 1;
  }
  struct sigaction action = {.sa_handler = on_signal}; /* no SA_RESTART: epoll_wait returns */
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
  fprintf(stderr, "floor_echo: listening on %s:%d\n", host, port);
  struct epoll_event events[kMaxEvents];
  while (!stop) {
    int ready = epoll_wait(epfd, events, kMaxEvents, -1);
    for (int i = 0; i < ready; ++i) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        for (int k = 0; k < 128; ++k) {
          int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (cfd < 0) break;
          if (cfd >= kMaxFds) {
            close(cfd);
            continue;
          }
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = cfd};
          epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &cev);
        }
      } else if (conns[fd].upgraded) {
        echo(epfd, fd);
      } else {
        read_request(epfd, fd);
      }
    }
  }
  fprintf(stderr, "floor_echo: stopped (%lu short sends, %lu oversized frames dropped)\n", short_sends, oversized);
  return 0;
}
