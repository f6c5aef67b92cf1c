#include "cluster/redis_link.hpp"

#include <hiredis/hiredis.h>

#include "log/logger.hpp"

namespace wsrelay::cluster {

namespace {

ConnectionOptions connection_options(const LinkOptions& o, std::string name, bool pubsub) {
  ConnectionOptions c;
  c.endpoint = o.endpoint;
  c.name = std::move(name);
  c.pubsub = pubsub;
  c.connect_timeout_ms = o.connect_timeout_ms;
  c.reply_timeout_ms = o.reply_timeout_ms;
  return c;
}

// Errors that retrying will not fix until someone changes a setting: logged as errors.
bool is_configuration_error(LinkError e) {
  return e == LinkError::kAuth || e == LinkError::kProtocol || e == LinkError::kServer;
}

}  // namespace

RedisLink::RedisLink(net::EventLoop& loop, LinkOptions options, LinkObserver& observer)
    : loop_(loop),
      options_(std::move(options)),
      observer_(observer),
      command_(loop, connection_options(options_, "command", false), *this),
      pubsub_(loop, connection_options(options_, "pubsub", true), *this),
      backoff_(options_.backoff_initial_ms, options_.backoff_max_ms, options_.seed) {}

// Silent: the connections' destructors close without calling any handler, since whoever
// queued those commands (the registry, the bus) may already be gone.
RedisLink::~RedisLink() {
  stats_.state = LinkState::kStopped;
}

void RedisLink::start() {
  if (stats_.state != LinkState::kStopped) return;
  down_since_ms_ = loop_.now_ms();
  attempt();
}

void RedisLink::stop() {
  set_state(LinkState::kStopped);
  loop_.timers().cancel(*this);
  command_.close();
  pubsub_.close();
}

void RedisLink::set_state(LinkState state) {
  if (stats_.state == state) return;
  stats_.state = state;
  stats_.state_since_ms = loop_.now_ms();
}

void RedisLink::attempt() {
  set_state(LinkState::kConnecting);
  command_.connect();
  // A connect that fails at once (a missing unix socket) has already scheduled the retry.
  if (stats_.state != LinkState::kConnecting) return;
  pubsub_.connect();
}

bool RedisLink::command(std::span<const std::string_view> argv, ReplyHandler handler) {
  if (!up()) return false;
  return command_.command(argv, std::move(handler));
}

bool RedisLink::publish(std::string_view channel, std::string_view payload, ReplyHandler handler) {
  if (!up() || !command_.command({"PUBLISH", channel, payload}, std::move(handler))) {
    ++stats_.publish_refused;
    return false;
  }
  ++stats_.published;
  return true;
}

void RedisLink::subscribe(std::string_view channel) {
  auto [it, inserted] = channels_.try_emplace(std::string(channel), false);
  if (!inserted) return;
  ++unconfirmed_;
  if (pubsub_.ready()) send_subscribe(it->first);
}

void RedisLink::unsubscribe(std::string_view channel) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return;
  if (!it->second) --unconfirmed_;
  const std::string name = it->first;
  channels_.erase(it);
  if (pubsub_.ready()) pubsub_.command({"UNSUBSCRIBE", name}, {});
  maybe_up();
}

void RedisLink::send_subscribe(const std::string& channel) {
  pubsub_.command({"SUBSCRIBE", channel}, [this, channel](const redisReply* reply) {
    if (reply == nullptr) return;  // the connection went down; resubscribe() sends it again
    const bool confirmed = reply->type == REDIS_REPLY_ARRAY && reply->elements == 3;
    if (!confirmed) {
      log::error("redis: SUBSCRIBE ", channel, " answered ", describe_reply(*reply));
    }
    auto it = channels_.find(channel);
    if (it == channels_.end() || it->second) return;  // unsubscribed since, or confirmed twice
    it->second = true;
    --unconfirmed_;
    maybe_up();
  });
}

void RedisLink::resubscribe() {
  unconfirmed_ = channels_.size();
  for (auto& [channel, confirmed] : channels_) {
    confirmed = false;
    send_subscribe(channel);
  }
}

void RedisLink::maybe_up() {
  if (stats_.state != LinkState::kConnecting || !command_.ready() || !pubsub_.ready() ||
      unconfirmed_ != 0)
    return;
  set_state(LinkState::kUp);
  ++stats_.connects;
  const uint64_t down_ms = loop_.now_ms() - down_since_ms_;
  if (was_up_) {
    log::info("redis link up again: ", describe(options_.endpoint), " after ", down_ms,
              " ms down, ", backoff_.attempts(), " attempts; ", channels_.size(),
              " subscriptions restored");
  } else {
    log::info("redis link up: ", describe(options_.endpoint), " (", channels_.size(),
              " subscriptions)");
  }
  backoff_.reset();
  logged_error_.clear();
  was_up_ = true;
  loop_.timers().schedule_in(*this, options_.keepalive_ms);
  observer_.on_link_up();
}

void RedisLink::on_ready(RedisConnection& connection) {
  if (&connection == &pubsub_) resubscribe();
  maybe_up();
}

void RedisLink::on_down(RedisConnection& connection, LinkError error, std::string_view detail) {
  if (handling_down_ || stats_.state == LinkState::kStopped) return;
  handling_down_ = true;
  const bool was_up = stats_.state == LinkState::kUp;
  // One connection is no use without the other: restart both together.
  (&connection == &command_ ? pubsub_ : command_).close();
  handling_down_ = false;
  stats_.last_error = error;
  stats_.last_error_detail =
      std::string(connection.options().name) + " connection: " + std::string(detail);
  set_state(LinkState::kDown);
  const uint64_t delay = backoff_.next_ms();
  loop_.timers().schedule_in(*this, delay);
  const std::string reason = std::string(name_of(error)) + ": " + stats_.last_error_detail;
  // Either connection may be the first to fail on the next attempt: what is repeated is the
  // error, whichever connection reports it.
  const std::string repeat_key = std::string(name_of(error)) + ": " + std::string(detail);
  if (was_up) {
    ++stats_.disconnects;
    down_since_ms_ = loop_.now_ms();
    log::warn("redis link down (", reason, "); local clients are still served; reconnecting in ",
              delay, " ms");
    logged_error_ = repeat_key;
    observer_.on_link_down(error, stats_.last_error_detail);
    return;
  }
  ++stats_.failed_attempts;
  if (repeat_key != logged_error_) {
    if (is_configuration_error(error)) {
      log::error("redis ", describe(options_.endpoint), " unusable (", reason, "); retrying in ",
                 delay, " ms");
    } else {
      log::warn("redis ", describe(options_.endpoint), " unreachable (", reason, "); retrying in ",
                delay, " ms");
    }
    logged_error_ = repeat_key;
  } else {
    log::debug("redis still unreachable (", reason, "); retry ", backoff_.attempts(), " in ", delay,
               " ms");
  }
  if (stats_.failed_attempts == 1 && !was_up_)
    observer_.on_link_down(error, stats_.last_error_detail);
}

void RedisLink::on_push(RedisConnection&, std::string_view channel, std::string_view payload) {
  if (channels_.find(channel) == channels_.end()) return;  // in flight when we unsubscribed
  ++stats_.received;
  observer_.on_link_message(channel, payload);
}

void RedisLink::on_timer() {
  switch (stats_.state) {
    case LinkState::kStopped:
    case LinkState::kConnecting:
      return;
    case LinkState::kDown:
      attempt();
      return;
    case LinkState::kUp:
      // Keepalive: an idle connection to a server that vanished without a FIN would otherwise
      // look healthy forever. The reply deadline turns silence into an outage.
      if (pubsub_.pending() == 0) pubsub_.command({"PING"}, {});
      if (command_.pending() == 0) command_.command({"PING"}, {});
      loop_.timers().schedule_in(*this, options_.keepalive_ms);
      return;
  }
}

}  // namespace wsrelay::cluster
