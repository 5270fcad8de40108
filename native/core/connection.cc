// Connection registry and the shared parts of the interface.
#include "connection.h"

#include <strings.h>

#include <cerrno>
#include <cstring>

namespace respd {

std::string Connection::error_text() const {
  return last_errno_ ? std::string(strerror(last_errno_)) : std::string();
}

ssize_t Connection::adopt_front(OutputChain&) {
  // Never called: adoptable() is 0 here.
  last_errno_ = ENOTSUP;
  state_ = ConnState::kError;
  return kIoError;
}

int ConnectionTypes::add(std::unique_ptr<ConnectionType> type, std::string* err) {
  if (find(type->name())) {
    if (err) *err = std::string("Connection types ") + type->name() + " already registered";
    return -1;
  }
  if (types_.size() >= kMaxTypes) {
    if (err) *err = "Too many connection types registered";
    return -1;
  }
  types_.push_back(std::move(type));
  return static_cast<int>(types_.size() - 1);
}

ConnectionType* ConnectionTypes::find(const std::string& name, int* index) const {
  for (size_t i = 0; i < types_.size(); i++) {
    if (strcasecmp(types_[i]->name(), name.c_str()) == 0) {
      if (index) *index = static_cast<int>(i);
      return types_[i].get();
    }
  }
  return nullptr;
}

}  // namespace respd
