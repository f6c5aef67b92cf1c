// What the Pusher front end tells the webhook dispatcher, in Pusher's own webhook vocabulary
// (https://pusher.com/docs/channels/server_api/webhooks: channel_occupied, channel_vacated,
// member_added, member_removed, client_event). The front end calls these as the events happen,
// from inside the event loop; the implementation batches, delays (vacated / member_removed, so
// a page reload does not flap), signs and POSTs them without ever blocking the caller.
//
// Contract: every call returns at once and makes no syscall; the views are valid only during
// the call (the implementation copies what it keeps). A front end with no webhook configured
// holds a null WebhookEvents* and calls nothing.
#pragma once

#include <string_view>

namespace wsrelay::app::pusher {

class WebhookEvents {
 public:
  // A channel got its first subscriber (anywhere this server can see).
  virtual void channel_occupied(std::string_view channel) = 0;
  // A channel lost its last subscriber.
  virtual void channel_vacated(std::string_view channel) = 0;
  // Presence: `user_id`'s first connection joined the channel.
  virtual void member_added(std::string_view channel, std::string_view user_id) = 0;
  // Presence: `user_id`'s last connection left the channel.
  virtual void member_removed(std::string_view channel, std::string_view user_id) = 0;
  // A client-* event relayed on a private or presence channel. `data` is the event's data as the
  // client sent it (a JSON string's contents, or JSON text); `user_id` is empty outside
  // presence channels.
  virtual void client_event(std::string_view channel, std::string_view event, std::string_view data,
                            std::string_view socket_id, std::string_view user_id) = 0;

 protected:
  ~WebhookEvents() = default;
};

}  // namespace wsrelay::app::pusher
