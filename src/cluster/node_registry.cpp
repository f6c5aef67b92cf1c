#include "cluster/node_registry.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>

#include "log/logger.hpp"

namespace wsrelay::cluster {

namespace {
constexpr std::string_view kChannel = "nodes";

bool parse_u64(std::string_view text, uint64_t& out) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}
}  // namespace

NodeRegistry::NodeRegistry(net::EventLoop& loop, RedisLink& link, Bus& bus, std::string prefix,
                           RegistryOptions options, NodeObserver& observer)
    : loop_(loop),
      link_(link),
      bus_(bus),
      prefix_(std::move(prefix)),
      nodes_key_(prefix_ + ":nodes"),
      options_(options),
      observer_(observer) {
  bus_.subscribe(kChannel, [this](const BusMessage& message) { on_announcement(message); });
}

NodeRegistry::~NodeRegistry() = default;

void NodeRegistry::on_link_up() {
  if (left_) return;
  heartbeat();
  bus_.publish(kChannel, "up");
  loop_.timers().schedule_in(*this, options_.heartbeat_ms);
}

void NodeRegistry::on_link_down() {
  loop_.timers().cancel(*this);
}

void NodeRegistry::on_timer() {
  if (left_ || !link_.up()) return;
  heartbeat();
  loop_.timers().schedule_in(*this, options_.heartbeat_ms);
}

void NodeRegistry::heartbeat() {
  const std::string epoch = std::to_string(bus_.epoch());
  const std::string ttl = std::to_string(options_.ttl_ms);
  link_.command({"SET", node_key(bus_.node_id()), epoch, "PX", ttl}, {});
  link_.command({"SADD", nodes_key_, bus_.node_id()}, [this](const redisReply* reply) {
    if (reply == nullptr || reply->type != REDIS_REPLY_INTEGER) return;
    ++stats_.heartbeats;
    if (reply->integer == 1 && joined_) {
      // We were a member: someone removed us (we looked dead to them), or Redis lost its data.
      ++stats_.restored;
      log::warn("cluster: this node (", bus_.node_id(),
                ") was missing from the node set (declared dead while cut off, or Redis restarted "
                "empty); re-joined");
      observer_.on_self_restored();
    }
    joined_ = true;
  });
  link_.command({"SMEMBERS", nodes_key_}, [this](const redisReply* reply) {
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return;
    std::vector<std::string> members;
    for (size_t i = 0; i < reply->elements; ++i) {
      const redisReply* item = reply->element[i];
      if (item->type != REDIS_REPLY_STRING) continue;
      std::string id(item->str, item->len);
      if (id != bus_.node_id()) members.push_back(std::move(id));
    }
    check_members(std::move(members));
  });
}

void NodeRegistry::check_members(std::vector<std::string> members) {
  // Peers we believe alive that left the set (SREMed by another node) are dead too.
  for (auto it = alive_.begin(); it != alive_.end();) {
    const std::string id = it->first;
    const uint64_t epoch = it->second;
    ++it;
    if (std::find(members.begin(), members.end(), id) == members.end()) {
      saw_dead(id, epoch, false, "removed from the node set");
    }
  }
  if (members.empty()) return;
  std::vector<std::string> keys;
  keys.reserve(members.size());
  for (const std::string& id : members) keys.push_back(node_key(id));
  std::vector<std::string_view> argv{"MGET"};
  for (const std::string& key : keys) argv.push_back(key);
  link_.command(argv, [this, members = std::move(members)](const redisReply* reply) {
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != members.size())
      return;
    for (size_t i = 0; i < members.size(); ++i) {
      const redisReply* value = reply->element[i];
      uint64_t epoch = 0;
      if (value->type == REDIS_REPLY_STRING &&
          parse_u64(std::string_view(value->str, value->len), epoch)) {
        saw_alive(members[i], epoch);
        continue;
      }
      // Its key expired: no heartbeat for ttl_ms. Whoever removes it from the set owns it.
      const std::string id = members[i];
      link_.command({"SREM", nodes_key_, id}, [this, id](const redisReply* removed) {
        if (removed == nullptr || removed->type != REDIS_REPLY_INTEGER) return;
        const bool owner = removed->integer == 1;
        auto known = alive_.find(id);
        const uint64_t last_epoch = known == alive_.end() ? 0 : known->second;
        if (owner) bus_.publish(kChannel, "down " + id + " " + std::to_string(last_epoch));
        saw_dead(id, last_epoch, owner, "no heartbeat");
      });
    }
  });
}

void NodeRegistry::saw_alive(const std::string& node_id, uint64_t epoch) {
  auto it = alive_.find(node_id);
  if (it != alive_.end() && it->second == epoch) return;
  if (it != alive_.end()) saw_dead(node_id, it->second, false, "restarted (new epoch)");
  alive_[node_id] = epoch;
  ++stats_.nodes_up;
  log::info("cluster: node ", node_id, " is up");
  observer_.on_node_up(node_id);
}

void NodeRegistry::saw_dead(const std::string& node_id, uint64_t epoch, bool owner,
                            std::string_view why) {
  auto it = alive_.find(node_id);
  // A node we never saw alive still needs its cleanup when we own it (it died before we looked).
  if (it == alive_.end() && !owner) return;
  if (it != alive_.end() && epoch != 0 && it->second != epoch) return;  // news about an older life
  if (it != alive_.end()) alive_.erase(it);
  ++stats_.nodes_down;
  log::warn("cluster: node ", node_id, " is down (", why,
            owner ? "; this node cleans up after it)" : ")");
  observer_.on_node_down(node_id, owner, why);
}

void NodeRegistry::on_announcement(const BusMessage& message) {
  const std::string origin(message.origin);
  if (message.payload == "leave") {
    auto it = alive_.find(origin);
    if (it != alive_.end()) saw_dead(origin, it->second, false, "left");
    return;
  }
  if (message.payload == "up") {
    // Its epoch is confirmed by the next check; until then it is known by name.
    if (alive_.find(origin) == alive_.end()) heartbeat();
    return;
  }
  if (message.payload.substr(0, 5) == "down ") {
    const std::string_view rest = message.payload.substr(5);
    const size_t space = rest.find(' ');
    uint64_t epoch = 0;
    if (space == std::string_view::npos || !parse_u64(rest.substr(space + 1), epoch)) return;
    const std::string id(rest.substr(0, space));
    if (id == bus_.node_id()) {
      // Someone thinks we are dead: our next heartbeat finds us missing and restores us.
      if (link_.up()) heartbeat();
      return;
    }
    saw_dead(id, epoch, false, "announced by " + origin);
  }
}

void NodeRegistry::leave() {
  if (left_) return;
  left_ = true;
  loop_.timers().cancel(*this);
  if (!link_.up()) return;
  link_.command({"DEL", node_key(bus_.node_id())}, {});
  link_.command({"SREM", nodes_key_, bus_.node_id()}, {});
  bus_.publish(kChannel, "leave");
}

std::vector<std::string> NodeRegistry::peers() const {
  std::vector<std::string> out;
  for (const auto& [id, epoch] : alive_) out.push_back(id);
  return out;
}

}  // namespace wsrelay::cluster
