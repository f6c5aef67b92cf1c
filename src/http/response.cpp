#include "http/response.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace wsrelay::http {
namespace {

void write_string(rapidjson::Writer<rapidjson::StringBuffer>& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

}  // namespace

void set_json(server::HttpResponse& response, int status, std::string body) {
  response.status = status;
  response.content_type = std::string(kJsonContentType);
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control", "no-store");
}

void set_error(server::HttpResponse& response, int status, std::string_view code,
               std::string_view message, std::string_view field) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
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
  set_json(response, status, std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace wsrelay::http
