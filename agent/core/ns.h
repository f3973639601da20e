// Namespace sets and flag names: the vocabulary shared by the tracer, the
// scanner, the tree and the JSON. No I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nsgroup/events.h"

namespace nsgroup {

inline constexpr std::size_t kNsCount = NSG_NS_COUNT;

// The names of /proc/PID/ns/*, indexed by enum nsg_ns_index.
inline constexpr std::array<std::string_view, kNsCount> kNsNames = {
    "cgroup", "ipc",  "mnt",  "net",  "pid", "pid_for_children",
    "time",   "time_for_children", "user", "uts"};

// A task's ten namespaces: inode numbers, and 64-bit ids where the kernel
// has them (0 elsewhere).
struct NsSet {
  std::array<std::uint32_t, kNsCount> inum{};
  std::array<std::uint64_t, kNsCount> id{};

  bool operator==(const NsSet&) const = default;
  bool has_ids() const;
};

// Bit i set when namespace i differs between a and b.
std::uint32_t ns_diff(const NsSet& a, const NsSet& b);

// The names of the namespaces whose bits are set in mask, in index order.
std::vector<std::string> ns_mask_names(std::uint32_t mask);

// Index of a /proc/PID/ns name ("net"), or nullopt.
std::optional<std::size_t> ns_index(std::string_view name);

// The namespace type a slot holds: pid_for_children holds a pid namespace,
// time_for_children a time namespace, every other slot its own type.
std::size_t ns_type_of(std::size_t slot);
// The slots a namespace of a type can occupy (pid: pid, pid_for_children).
std::span<const std::size_t> ns_slots_of(std::size_t type);

// The CLONE_NEW* flag that creates namespace type i (pid_for_children maps
// to CLONE_NEWPID, time_for_children to CLONE_NEWTIME).
std::uint64_t ns_clone_flag(std::size_t i);

// Names of clone(2)/clone3(2)/unshare(2) flags; unknown bits as one hex
// string. The exit-signal byte of clone(2) must be masked by the caller.
std::vector<std::string> clone_flag_names(std::uint64_t flags);

// Names of a setns(2) nstype (0 means "any type": an empty list).
std::vector<std::string> nstype_names(std::uint64_t nstype);

}  // namespace nsgroup
