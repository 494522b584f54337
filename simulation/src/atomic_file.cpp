#include "cartsim/simulation/atomic_file.hpp"

#include <unistd.h>

#include <string>

#include "cartsim/core/errors.hpp"

namespace cartsim {

AtomicFile::AtomicFile(std::filesystem::path final_path)
    : final_path_(std::move(final_path)),
      temp_path_(final_path_.parent_path() /
                 ("." + final_path_.filename().string() + ".tmp." + std::to_string(::getpid()))) {
  out_.open(temp_path_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    throw Error("cannot create '" + temp_path_.string() + "'");
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    std::error_code ignored;
    std::filesystem::remove(temp_path_, ignored);
  }
}

void AtomicFile::commit() {
  out_.flush();
  if (!out_) {
    throw Error("write failed for '" + temp_path_.string() + "'");
  }
  out_.close();
  std::error_code ec;
  std::filesystem::rename(temp_path_, final_path_, ec);
  if (ec) {
    throw Error("cannot rename '" + temp_path_.string() + "' to '" + final_path_.string() +
                "': " + ec.message());
  }
  committed_ = true;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  AtomicFile file(path);
  file.stream() << content;
  file.commit();
}

}  // namespace cartsim
