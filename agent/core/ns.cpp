// Namespace names and clone flag names.
#include "core/ns.h"

#include <cstdio>
#include <utility>

namespace nsgroup {

namespace {

struct FlagName {
  std::uint64_t bit;
  std::string_view name;
};

constexpr FlagName kCloneFlags[] = {
    {0x00000080ULL, "CLONE_NEWTIME"},     {0x00000100ULL, "CLONE_VM"},
    {0x00000200ULL, "CLONE_FS"},          {0x00000400ULL, "CLONE_FILES"},
    {0x00000800ULL, "CLONE_SIGHAND"},     {0x00001000ULL, "CLONE_PIDFD"},
    {0x00002000ULL, "CLONE_PTRACE"},      {0x00004000ULL, "CLONE_VFORK"},
    {0x00008000ULL, "CLONE_PARENT"},      {0x00010000ULL, "CLONE_THREAD"},
    {0x00020000ULL, "CLONE_NEWNS"},       {0x00040000ULL, "CLONE_SYSVSEM"},
    {0x00080000ULL, "CLONE_SETTLS"},      {0x00100000ULL, "CLONE_PARENT_SETTID"},
    {0x00200000ULL, "CLONE_CHILD_CLEARTID"}, {0x00400000ULL, "CLONE_DETACHED"},
    {0x00800000ULL, "CLONE_UNTRACED"},    {0x01000000ULL, "CLONE_CHILD_SETTID"},
    {0x02000000ULL, "CLONE_NEWCGROUP"},   {0x04000000ULL, "CLONE_NEWUTS"},
    {0x08000000ULL, "CLONE_NEWIPC"},      {0x10000000ULL, "CLONE_NEWUSER"},
    {0x20000000ULL, "CLONE_NEWPID"},      {0x40000000ULL, "CLONE_NEWNET"},
    {0x80000000ULL, "CLONE_IO"},          {0x100000000ULL, "CLONE_CLEAR_SIGHAND"},
    {0x200000000ULL, "CLONE_INTO_CGROUP"},
};

std::vector<std::string> names_of(std::uint64_t flags, std::uint64_t allowed) {
  std::vector<std::string> out;
  for (const auto& f : kCloneFlags) {
    if ((allowed & f.bit) && (flags & f.bit)) {
      out.emplace_back(f.name);
      flags &= ~f.bit;
    }
  }
  if (flags != 0) {
    char hex[24];
    std::snprintf(hex, sizeof hex, "0x%llx",
                  static_cast<unsigned long long>(flags));
    out.emplace_back(hex);
  }
  return out;
}

}  // namespace

bool NsSet::has_ids() const {
  for (auto v : id)
    if (v != 0)
      return true;
  return false;
}

std::uint32_t ns_diff(const NsSet& a, const NsSet& b) {
  std::uint32_t mask = 0;
  for (std::size_t i = 0; i < kNsCount; ++i)
    if (a.inum[i] != b.inum[i] || a.id[i] != b.id[i])
      mask |= 1U << i;
  return mask;
}

std::vector<std::string> ns_mask_names(std::uint32_t mask) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < kNsCount; ++i)
    if (mask & (1U << i))
      out.emplace_back(kNsNames[i]);
  return out;
}

std::optional<std::size_t> ns_index(std::string_view name) {
  for (std::size_t i = 0; i < kNsCount; ++i)
    if (kNsNames[i] == name)
      return i;
  return std::nullopt;
}

std::size_t ns_type_of(std::size_t slot) {
  if (slot == NSG_NS_PID_FOR_CHILDREN)
    return NSG_NS_PID;
  if (slot == NSG_NS_TIME_FOR_CHILDREN)
    return NSG_NS_TIME;
  return slot;
}

std::span<const std::size_t> ns_slots_of(std::size_t type) {
  static constexpr std::size_t kPid[] = {NSG_NS_PID, NSG_NS_PID_FOR_CHILDREN};
  static constexpr std::size_t kTime[] = {NSG_NS_TIME, NSG_NS_TIME_FOR_CHILDREN};
  static constexpr std::size_t kEach[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  static_assert(std::size(kEach) == kNsCount);
  if (type == NSG_NS_PID)
    return kPid;
  if (type == NSG_NS_TIME)
    return kTime;
  return std::span<const std::size_t>(kEach).subspan(type < kNsCount ? type : 0, 1);
}

std::uint64_t ns_clone_flag(std::size_t i) {
  switch (i) {
  case NSG_NS_CGROUP: return NSG_CLONE_NEWCGROUP;
  case NSG_NS_IPC: return NSG_CLONE_NEWIPC;
  case NSG_NS_MNT: return NSG_CLONE_NEWNS;
  case NSG_NS_NET: return NSG_CLONE_NEWNET;
  case NSG_NS_PID:
  case NSG_NS_PID_FOR_CHILDREN: return NSG_CLONE_NEWPID;
  case NSG_NS_TIME:
  case NSG_NS_TIME_FOR_CHILDREN: return NSG_CLONE_NEWTIME;
  case NSG_NS_USER: return NSG_CLONE_NEWUSER;
  case NSG_NS_UTS: return NSG_CLONE_NEWUTS;
  default: return 0;
  }
}

std::vector<std::string> clone_flag_names(std::uint64_t flags) {
  return names_of(flags, ~0ULL);
}

std::vector<std::string> nstype_names(std::uint64_t nstype) {
  return names_of(nstype, NSG_CLONE_NEW_MASK);
}

}  // namespace nsgroup
