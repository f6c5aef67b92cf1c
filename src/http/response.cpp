#include "http/response.hpp"

#include "http/json_text.hpp"

namespace wsrelay::http {

void set_json(server::HttpResponse& response, int status, std::string body) {
  response.status = status;
  response.content_type = std::string(kJsonContentType);
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control", "no-store");
}

void set_error(server::HttpResponse& response, int status, std::string_view code,
               std::string_view message, std::string_view field) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("error");
  writer.StartObject();
  writer.Key("code");
  write_string(writer, code);
  writer.Key("message");
  write_string(writer, message);
  if (!field.empty()) {
    writer.Key("field");
    write_string(writer, field);
  }
  writer.EndObject();
  writer.EndObject();
  set_json(response, status, text_of(buffer));
}

}  // namespace wsrelay::http
