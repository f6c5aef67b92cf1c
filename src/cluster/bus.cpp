#include "cluster/bus.hpp"

#include "cluster/envelope.hpp"

namespace wsrelay::cluster {

Bus::Bus(RedisLink& link, std::string prefix, std::string node_id, uint64_t epoch)
    : link_(link),
      channel_prefix_(std::move(prefix) + ":bus:"),
      node_id_(std::move(node_id)),
      epoch_(epoch) {}

bool Bus::publish(std::string_view channel, std::string_view payload) {
  auto it = next_seq_.find(channel);
  const uint64_t seq = it == next_seq_.end() ? 1 : it->second;
  scratch_.clear();
  encode_envelope(scratch_, node_id_, epoch_, seq, payload);
  channel_scratch_.assign(channel_prefix_).append(channel);
  if (!link_.publish(channel_scratch_, scratch_)) {
    // The sequence number is not used up: receivers see no gap for a message never sent.
    ++stats_.publish_refused;
    return false;
  }
  if (it == next_seq_.end()) {
    next_seq_.emplace(std::string(channel), 2);
  } else {
    ++it->second;
  }
  ++stats_.published;
  return true;
}

void Bus::subscribe(std::string_view channel, BusHandler handler) {
  handlers_[std::string(channel)] = std::make_shared<const BusHandler>(std::move(handler));
  link_.subscribe(full_channel(channel));
}

void Bus::unsubscribe(std::string_view channel) {
  auto it = handlers_.find(channel);
  if (it == handlers_.end()) return;
  handlers_.erase(it);
  link_.unsubscribe(full_channel(channel));
  if (auto seen = last_seen_.find(channel); seen != last_seen_.end()) last_seen_.erase(seen);
}

void Bus::on_link_message(std::string_view full, std::string_view payload) {
  if (full.substr(0, channel_prefix_.size()) != channel_prefix_) return;  // not a bus channel
  const std::string_view channel = full.substr(channel_prefix_.size());
  auto handler = handlers_.find(channel);
  if (handler == handlers_.end()) return;
  Envelope envelope;
  if (!decode_envelope(payload, envelope)) {
    ++stats_.malformed;
    return;
  }
  if (envelope.node_id == node_id_ && envelope.epoch == epoch_) {
    ++stats_.own_dropped;
    return;
  }
  BusMessage message;
  message.channel = channel;
  message.origin = envelope.node_id;
  message.seq = envelope.seq;
  message.payload = envelope.payload;
  auto per_channel = last_seen_.find(channel);
  if (per_channel == last_seen_.end())
    per_channel = last_seen_.emplace(std::string(channel), Origins()).first;
  auto seen = per_channel->second.find(envelope.node_id);
  if (seen == per_channel->second.end()) {
    per_channel->second.emplace(std::string(envelope.node_id), Seen{envelope.epoch, envelope.seq});
  } else {
    if (seen->second.epoch == envelope.epoch && envelope.seq > seen->second.seq + 1) {
      message.missed = envelope.seq - seen->second.seq - 1;
    }
    // A new epoch is a restarted publisher: its numbering starts again, no gap is claimed.
    seen->second = Seen{envelope.epoch, envelope.seq};
  }
  stats_.missed += message.missed;
  ++stats_.received;
  // Hold a reference: the handler may unsubscribe its own channel while running.
  const std::shared_ptr<const BusHandler> run = handler->second;
  (*run)(message);
}

}  // namespace wsrelay::cluster
