#pragma once
#include <string>
#include <string_view>

namespace cartsim::detail {
/// Lower-case hex SHA-256 of `data` (OpenSSL libcrypto).
std::string sha256_hex(std::string_view data);
}  // namespace cartsim::detail
