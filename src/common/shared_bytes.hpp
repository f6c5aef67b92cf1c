// A reference-counted, immutable block of bytes: how one serialized message reaches many
// connections without being copied N times (a broadcast to N clients is one allocation).
//
// Single-threaded by design (the whole server runs on one reactor thread), so the count is a
// plain integer. The bytes live in the same allocation as the count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

namespace wsrelay::common {

class SharedBytes {
 public:
  // A block of `size` bytes, uninitialised, with a reference count of one.
  static SharedBytes* allocate(size_t size) {
    void* memory = std::malloc(sizeof(SharedBytes) + size);
    if (memory == nullptr) throw std::bad_alloc();
    return new (memory) SharedBytes(size);
  }
  uint8_t* data() { return reinterpret_cast<uint8_t*>(this + 1); }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(this + 1); }
  size_t size() const { return size_; }
  void retain() { ++refs_; }
  void release() {
    if (--refs_ == 0) {
      this->~SharedBytes();
      std::free(this);
    }
  }
  uint32_t use_count() const { return refs_; }

 private:
  explicit SharedBytes(size_t size) : size_(size) {}
  size_t size_;
  uint32_t refs_ = 1;
};

// Owning handle (like an intrusive shared pointer).
class SharedBytesRef {
 public:
  SharedBytesRef() = default;
  // Adopts one reference (does not retain).
  static SharedBytesRef adopt(SharedBytes* bytes) {
    SharedBytesRef ref;
    ref.bytes_ = bytes;
    return ref;
  }
  static SharedBytesRef copy_of(std::string_view text) {
    SharedBytes* bytes = SharedBytes::allocate(text.size());
    if (!text.empty()) std::memcpy(bytes->data(), text.data(), text.size());
    return adopt(bytes);
  }
  SharedBytesRef(const SharedBytesRef& other) : bytes_(other.bytes_) {
    if (bytes_) bytes_->retain();
  }
  SharedBytesRef(SharedBytesRef&& other) noexcept : bytes_(std::exchange(other.bytes_, nullptr)) {}
  SharedBytesRef& operator=(SharedBytesRef other) noexcept {
    std::swap(bytes_, other.bytes_);
    return *this;
  }
  ~SharedBytesRef() {
    if (bytes_) bytes_->release();
  }
  explicit operator bool() const { return bytes_ != nullptr; }
  const uint8_t* data() const { return bytes_->data(); }
  uint8_t* mutable_data() { return bytes_->data(); }
  size_t size() const { return bytes_ ? bytes_->size() : 0; }
  SharedBytes* get() const { return bytes_; }
  std::string_view view() const {
    return bytes_ ? std::string_view(reinterpret_cast<const char*>(data()), size()) : std::string_view();
  }

 private:
  SharedBytes* bytes_ = nullptr;
};

}  // namespace wsrelay::common
