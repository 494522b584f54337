#include "cartsim/core/errors.hpp"

#include <fmt/format.h>

namespace cartsim {
namespace {
std::string format_config_error(const InputLocation& where, const std::string& message) {
  std::string out = where.file.empty() ? std::string("<input>") : where.file;
  if (where.line > 0) {
    out += fmt::format(":{}:{}", where.line, where.column);
  }
  out += ": error: ";
  if (!where.yaml_path.empty()) {
    out += fmt::format("at '{}': ", where.yaml_path);
  }
  out += message;
  return out;
}
}  // namespace

ConfigError::ConfigError(InputLocation where, const std::string& message)
    : Error(format_config_error(where, message)), where_(std::move(where)), message_(message) {}

}  // namespace cartsim
