// Flag and namespace names.
#include <gtest/gtest.h>

#include "core/ns.h"

namespace nsgroup {
namespace {

using Names = std::vector<std::string>;

TEST(CloneFlagNames, NamesEveryNamespaceFlag) {
  EXPECT_EQ(clone_flag_names(NSG_CLONE_NEW_MASK),
            (Names{"CLONE_NEWTIME", "CLONE_NEWNS", "CLONE_NEWCGROUP",
                   "CLONE_NEWUTS", "CLONE_NEWIPC", "CLONE_NEWUSER",
                   "CLONE_NEWPID", "CLONE_NEWNET"}));
}

TEST(CloneFlagNames, Clone3OnlyFlagsAbove32Bits) {
  EXPECT_EQ(clone_flag_names(0x200000000ULL | NSG_CLONE_NEWNET),
            (Names{"CLONE_NEWNET", "CLONE_INTO_CGROUP"}));
}

TEST(CloneFlagNames, UnknownBitsAsOneHexString) {
  EXPECT_EQ(clone_flag_names(NSG_CLONE_NEWUTS | (1ULL << 40) | (1ULL << 50)),
            (Names{"CLONE_NEWUTS", "0x4010000000000"}));
  EXPECT_TRUE(clone_flag_names(0).empty());
}

TEST(NstypeNames, ZeroMeansAnyAndOnlyNamespaceBitsHaveNames) {
  EXPECT_TRUE(nstype_names(0).empty());
  EXPECT_EQ(nstype_names(NSG_CLONE_NEWNET | NSG_CLONE_NEWIPC),
            (Names{"CLONE_NEWIPC", "CLONE_NEWNET"}));
  // CLONE_VM is not a namespace type: reported raw, never named.
  EXPECT_EQ(nstype_names(0x100), (Names{"0x100"}));
}

TEST(NsDiff, MarksInodeOrIdChanges) {
  NsSet a, b;
  a.inum.fill(7);
  b = a;
  EXPECT_EQ(ns_diff(a, b), 0U);
  b.inum[NSG_NS_NET] = 8;
  b.id[NSG_NS_UTS] = 99;
  EXPECT_EQ(ns_diff(a, b), (1U << NSG_NS_NET) | (1U << NSG_NS_UTS));
  EXPECT_EQ(ns_mask_names(ns_diff(a, b)), (Names{"net", "uts"}));
}

TEST(NsIndex, RoundTripsEveryName) {
  for (std::size_t i = 0; i < kNsCount; ++i)
    EXPECT_EQ(ns_index(kNsNames[i]), i);
  EXPECT_FALSE(ns_index("bogus"));
}

TEST(NsCloneFlag, ForChildrenLinksMapToTheirFlag) {
  EXPECT_EQ(ns_clone_flag(NSG_NS_PID_FOR_CHILDREN), NSG_CLONE_NEWPID);
  EXPECT_EQ(ns_clone_flag(NSG_NS_TIME_FOR_CHILDREN), NSG_CLONE_NEWTIME);
  EXPECT_EQ(ns_clone_flag(NSG_NS_MNT), NSG_CLONE_NEWNS);
}

}  // namespace
}  // namespace nsgroup
