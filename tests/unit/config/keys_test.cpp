// The key table: naming rule, defaults, and that every key can travel text -> Settings -> text.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>

#include "config/keys.hpp"
#include "config/values.hpp"

using namespace wsrelay::config;

TEST_CASE("key table: names are unique lowercase snake_case and sections are contiguous") {
  std::set<std::string_view> names;
  std::set<std::string_view> finished_sections;
  std::string_view current;
  for (const KeyInfo& key : all_keys()) {
    CHECK(names.insert(key.name).second);
    for (char c : key.name) CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'));
    CHECK(key.name.front() != '_');
    CHECK_FALSE(key.help.empty());
    if (key.section != current) {
      CHECK(finished_sections.insert(current).second);  // a section never reappears later
      current = key.section;
    }
    CHECK(find_key(key.name) == &key);
    CHECK(&all_keys()[key_index(key)] == &key);
  }
  CHECK(find_key("nope") == nullptr);
  CHECK(find_key("PORT") == nullptr);  // exact names only
}

TEST_CASE("key table: every key in notes/config_keys.md exists") {
  // The list the issue and the team agreed on; a missing key would silently lose a setting.
  for (const char* name : {"host",
                           "port",
                           "max_clients",
                           "max_clients_per_ip",
                           "max_message_size",
                           "max_pending_output",
                           "max_header_size",
                           "max_http_body",
                           "timeout",
                           "ping_interval",
                           "ping_timeout",
                           "handshake_timeout",
                           "close_timeout",
                           "shutdown_timeout",
                           "debug",
                           "log_level",
                           "log_path",
                           "stats_interval",
                           "auth_enabled",
                           "auth_secret",
                           "auth_timeout",
                           "auth_clock_skew",
                           "ssl_enabled",
                           "ssl_cert_path",
                           "ssl_key_path",
                           "ssl_chain_path",
                           "cors_origins",
                           "allow_ips",
                           "deny_ips",
                           "rooms_enabled",
                           "default_room",
                           "max_rooms_per_client",
                           "rooms",
                           "max_name_length",
                           "max_json_depth",
                           "member_list_limit",
                           "rate_limit",
                           "rate_limit_burst",
                           "rate_limit_warnings",
                           "api_key",
                           "web_root",
                           "publish_url",
                           "redis_url",
                           "node_id",
                           "cluster_prefix"}) {
    CHECK_MESSAGE(find_key(name) != nullptr, name);
  }
}

TEST_CASE("naming rule: key foo_bar = WEBSOCKET_FOO_BAR = --foo-bar") {
  CHECK(env_name("max_clients_per_ip") == "WEBSOCKET_MAX_CLIENTS_PER_IP");
  CHECK(flag_name("max_clients_per_ip") == "--max-clients-per-ip");
  CHECK(env_name("port") == "WEBSOCKET_PORT");
  CHECK(flag_name("port") == "--port");
  // The names PHP teams already have in their .env files.
  for (const char* env : {"WEBSOCKET_HOST", "WEBSOCKET_PORT", "WEBSOCKET_MAX_CLIENTS",
                          "WEBSOCKET_TIMEOUT", "WEBSOCKET_PING_INTERVAL", "WEBSOCKET_PING_TIMEOUT",
                          "WEBSOCKET_DEBUG", "WEBSOCKET_AUTH_ENABLED", "WEBSOCKET_SSL_CERT_PATH",
                          "WEBSOCKET_SSL_KEY_PATH", "WEBSOCKET_LOG_PATH", "WEBSOCKET_CORS_ORIGINS",
                          "WEBSOCKET_ROOMS_ENABLED", "WEBSOCKET_DEFAULT_ROOM"}) {
    bool found = false;
    for (const KeyInfo& key : all_keys()) found |= env_name(key.name) == env;
    CHECK_MESSAGE(found, env);
  }
}

TEST_CASE("every key's default survives format -> parse -> store -> load") {
  const Settings defaults;
  for (const KeyInfo& key : all_keys()) {
    INFO("key: " << key.name);
    const Value original = key.access.load(defaults);
    const std::string text = format_value(key, original);
    Value parsed;
    std::string problem;
    REQUIRE_MESSAGE(parse_value(key, text, parsed, problem), problem);
    CHECK(parsed == original);
    Settings copy;
    key.access.store(copy, std::move(parsed));
    CHECK(key.access.load(copy) == original);
  }
}

TEST_CASE("every key stores into its own member and no other") {
  // Change one key to a non-default value and check that exactly that key changed: catches a
  // table row wired to the wrong member.
  const Settings defaults;
  const std::map<std::string_view, std::string> samples = {{"host", "::1"},
                                                           {"debug", "true"},
                                                           {"log_level", "error"},
                                                           {"log_path", "/x"},
                                                           {"auth_enabled", "true"},
                                                           {"auth_secret", "s"},
                                                           {"ssl_enabled", "true"},
                                                           {"ssl_cert_path", "/c"},
                                                           {"ssl_key_path", "/k"},
                                                           {"ssl_chain_path", "/ch"},
                                                           {"cors_origins", "https://a.example"},
                                                           {"allow_ips", "10.0.0.0/8"},
                                                           {"deny_ips", "192.168.0.0/16"},
                                                           {"trusted_proxies", "127.0.0.1"},
                                                           {"log_payloads", "true"},
                                                           {"rooms_enabled", "false"},
                                                           {"default_room", "lobby"},
                                                           {"rooms", "vip:private"},
                                                           {"room_notices", "batched"},
                                                           {"api_key", "k"},
                                                           {"web_root", "/w"},
                                                           {"publish_url", "http://example.com"},
                                                           {"redis_url", "redis://r:6379"},
                                                           {"node_id", "n1"},
                                                           {"cluster_prefix", "app1"},
                                                           {"pusher_webhook_url", "http://127.0.0.1:9/hook"},
                                                           {"pusher_webhook_events", "client_event"},
                                                           {"pusher_webhook_ca_file", "/ca.pem"},
                                                           {"env_file", "/app/.env"},
                                                           {"pusher_app_id", "12345"},
                                                           {"pusher_app_key", "appkey"},
                                                           {"pusher_app_secret", "appsecret"},
                                                           {"pusher_client_events", "false"},
                                                           {"ignore_env", "WEBSOCKET_URL"},

                                                           {"compression", "dedicated"}};
  for (const KeyInfo& key : all_keys()) {
    INFO("key: " << key.name);
    std::string text;
    if (auto it = samples.find(key.name); it != samples.end()) {
      text = it->second;
    } else {
      // An integer kind: pick a legal value different from the default.
      const int64_t current = std::get<int64_t>(key.access.load(defaults));
      text = std::to_string(current == key.max ? key.min : current + 1);
    }
    Value value;
    std::string problem;
    REQUIRE_MESSAGE(parse_value(key, text, value, problem), problem);
    Settings changed;
    key.access.store(changed, std::move(value));
    for (const KeyInfo& other : all_keys()) {
      const bool differs = !(other.access.load(changed) == other.access.load(defaults));
      CHECK_MESSAGE(differs == (&other == &key), "also changed: " << other.name);
    }
  }
}

TEST_CASE("suggest_key finds what people meant") {
  auto suggestion = [](std::string_view typed) -> std::string_view {
    const KeyInfo* key = suggest_key(typed);
    return key == nullptr ? "" : key->name;
  };
  CHECK(suggestion("prot") == "port");  // transposition
  CHECK(suggestion("max_client") == "max_clients");
  CHECK(suggestion("max-clients") == "max_clients");
  CHECK(suggestion("MAX_CLIENTS") == "max_clients");
  CHECK(suggestion("WEBSOCKET_PORT") == "port");  // env name pasted into the file
  CHECK(suggestion("WEBSOCKET_PROT") == "port");
  CHECK(suggestion("ping_intervall") == "ping_interval");
  CHECK(suggestion("completely_different") == "");
  CHECK(suggestion("") == "");
  CHECK(suggestion("URL") == "");
}
