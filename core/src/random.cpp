#include "cartsim/core/random.hpp"

#include <Random123/philox.h>

#include <cmath>
#include <numbers>

namespace cartsim {

RandomStream::RandomStream(const RandomKey& key)
    : key_{key.seed, key.purpose}, sample_(key.sample), replicate_(key.replicate) {}

RandomStream::RandomStream(std::uint64_t seed, std::uint64_t sample, std::uint64_t replicate,
                           RandomPurpose purpose)
    : RandomStream(RandomKey{seed, sample, replicate, static_cast<std::uint64_t>(purpose)}) {}

void RandomStream::refill() {
  // Key: (seed, purpose); counter: (sample, replicate, block index, 0).
  r123::Philox4x64 generator;
  const r123::Philox4x64::key_type key = {{key_[0], key_[1]}};
  const r123::Philox4x64::ctr_type counter = {{sample_, replicate_, counter_, 0}};
  const auto out = generator(counter, key);
  for (unsigned i = 0; i < 4; ++i) {
    block_[i] = out.v[i];
  }
  ++counter_;
  used_ = 0;
}

std::uint64_t RandomStream::next_u64() {
  if (used_ == 4) {
    refill();
  }
  return block_[used_++];
}

double RandomStream::uniform() {
  // The top 53 bits, shifted by half a unit: (k + 0.5) / 2^53 for k in [0, 2^53).
  return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53;
}

double RandomStream::exponential() {
  return -std::log(uniform());
}

double RandomStream::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  const double radius = std::sqrt(-2.0 * std::log(uniform()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

}  // namespace cartsim
