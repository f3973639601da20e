// Watch filters (core/watch_filter.h): which facts each event kind
// carries, OR within a filter and AND across filters, subtrees by path,
// and option values refused by name. Suite WatchFilterCore: the
// privileged WatchFilter tests run the binary.
#include <gtest/gtest.h>

#include "core/watch_filter.h"

namespace nsgroup {
namespace {

Event proc_event(EventKind kind, std::uint32_t pid, std::uint32_t uid, std::string comm) {
  Event e;
  e.kind = kind;
  e.pid = pid;
  e.uid = uid;
  e.comm = std::move(comm);
  return e;
}

WatchFilter filter(WatchField field, std::string_view value) {
  WatchFilter f;
  auto ok = add_filter_values(f, field, value);
  EXPECT_TRUE(ok) << ok.error().message();
  return f;
}

TEST(WatchFilterCore, AnEmptyFilterKeepsEverything) {
  WatchFilter f;
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(f.matches(watch_subject(proc_event(EventKind::Unshare, 5, 0, "sh"))));
  EXPECT_TRUE(f.matches(removed_subject("/init_container/container_4")));
  EXPECT_TRUE(f.matches(watch_subject(lost_event(3, 0))));
}

TEST(WatchFilterCore, ValuesOfOneFilterAreAlternatives) {
  WatchFilter f = filter(WatchField::Pid, "10,20");
  EXPECT_EQ(f.pids, (std::vector<std::uint32_t>{10, 20}));
  EXPECT_TRUE(f.matches(watch_subject(proc_event(EventKind::Setns, 10, 0, "a"))));
  EXPECT_TRUE(f.matches(watch_subject(proc_event(EventKind::Setns, 20, 0, "a"))));
  EXPECT_FALSE(f.matches(watch_subject(proc_event(EventKind::Setns, 30, 0, "a"))));
  // Repeated: the same as comma-separated.
  ASSERT_TRUE(add_filter_values(f, WatchField::Pid, "30"));
  EXPECT_TRUE(f.matches(watch_subject(proc_event(EventKind::Setns, 30, 0, "a"))));
}

TEST(WatchFilterCore, DifferentFiltersMustAllHold) {
  WatchFilter f = filter(WatchField::Comm, "unshare");
  ASSERT_TRUE(add_filter_values(f, WatchField::Event, "unshare"));
  ASSERT_TRUE(add_filter_values(f, WatchField::Uid, "1000"));
  EXPECT_TRUE(f.matches(watch_subject(proc_event(EventKind::Unshare, 7, 1000, "unshare"))));
  EXPECT_FALSE(f.matches(watch_subject(proc_event(EventKind::Setns, 7, 1000, "unshare"))));
  EXPECT_FALSE(f.matches(watch_subject(proc_event(EventKind::Unshare, 7, 0, "unshare"))));
  EXPECT_FALSE(f.matches(watch_subject(proc_event(EventKind::Unshare, 7, 1000, "unshare2"))));
}

TEST(WatchFilterCore, AFactAnEventDoesNotCarryExcludesIt) {
  // Exits carry no uid: a uid filter cannot say they match (uid 0 is the
  // Event's default, not the process's uid).
  WatchFilter by_uid = filter(WatchField::Uid, "0");
  EXPECT_FALSE(by_uid.matches(watch_subject(proc_event(EventKind::Exit, 7, 0, "true"))));
  EXPECT_TRUE(by_uid.matches(watch_subject(suppressed_event(0, 5, 0))));
  EXPECT_FALSE(by_uid.matches(removed_subject("/init_container/container_2")));
  WatchFilter by_pid = filter(WatchField::Pid, "7");
  EXPECT_TRUE(by_pid.matches(watch_subject(proc_event(EventKind::Exit, 7, 0, "true"))));
  EXPECT_FALSE(by_pid.matches(watch_subject(suppressed_event(0, 5, 0))));
  EXPECT_FALSE(by_pid.matches(removed_subject("/init_container/container_2")));
}

TEST(WatchFilterCore, LostPassesEveryFilterButEvent) {
  WatchFilter f = filter(WatchField::Pid, "7");
  ASSERT_TRUE(add_filter_values(f, WatchField::Container, "/init_container/web"));
  EXPECT_TRUE(f.matches(watch_subject(lost_event(3, 0))));
  ASSERT_TRUE(add_filter_values(f, WatchField::Event, "unshare"));
  EXPECT_FALSE(f.matches(watch_subject(lost_event(3, 0))));
  EXPECT_TRUE(filter(WatchField::Event, "lost").matches(watch_subject(lost_event(3, 0))));
}

TEST(WatchFilterCore, AContainerIsItsSubtreeByPath) {
  WatchFilter f = filter(WatchField::Container, "/init_container/web");
  auto in = [&](std::string_view path) {
    return f.matches(watch_subject(proc_event(EventKind::Unshare, 7, 0, "x"), path));
  };
  EXPECT_TRUE(in("/init_container/web"));
  EXPECT_TRUE(in("/init_container/web/container_9"));
  EXPECT_FALSE(in("/init_container/webx"));
  EXPECT_FALSE(in("/init_container"));
  EXPECT_FALSE(in(""));  // no tree: no container to match
  EXPECT_TRUE(f.matches(removed_subject("/init_container/web/container_9")));
  // Several: any of them; a comma belongs to the path.
  ASSERT_TRUE(add_filter_values(f, WatchField::Container, "/init_container/a,b"));
  EXPECT_TRUE(in("/init_container/a,b/container_3"));
  EXPECT_EQ(f.containers.size(), 2U);
}

TEST(WatchFilterCore, EventKindsAreTheJsonNames) {
  for (std::string_view name : {"clone", "unshare", "setns", "denied", "exit", "lost",
                                "suppressed", "container_removed"}) {
    auto k = event_kind_named(name);
    ASSERT_TRUE(k) << name;
    EXPECT_EQ(to_string(*k), name);
  }
  EXPECT_FALSE(event_kind_named("fork"));  // internal, never printed
  EXPECT_FALSE(event_kind_named("Unshare"));
  WatchFilter f = filter(WatchField::Event, "clone,exit");
  EXPECT_EQ(f.kinds, (std::vector<EventKind>{EventKind::Clone, EventKind::Exit}));
}

TEST(WatchFilterCore, AFilterTakesAtMostSixtyFourValues) {
  WatchFilter f;
  std::string pids;
  for (int pid = 1; pid <= static_cast<int>(kMaxFilterValues); ++pid)
    pids += (pid > 1 ? "," : "") + std::to_string(pid);
  ASSERT_TRUE(add_filter_values(f, WatchField::Pid, pids));
  EXPECT_EQ(f.pids.size(), kMaxFilterValues);
  auto more = add_filter_values(f, WatchField::Pid, "65");
  ASSERT_FALSE(more);
  EXPECT_EQ(more.error().message(), "at most 64 values a filter");
  EXPECT_EQ(f.pids.size(), kMaxFilterValues);  // unchanged by the refusal
  // Each filter counts apart.
  EXPECT_TRUE(add_filter_values(f, WatchField::Uid, "0"));
}

TEST(WatchFilterCore, BadValuesAreRefusedByName) {
  WatchFilter f;
  auto err = [&](WatchField field, std::string_view v) {
    auto ok = add_filter_values(f, field, v);
    return ok ? std::string("accepted") : ok.error().message();
  };
  EXPECT_EQ(err(WatchField::Pid, "12x"), "'12x' is not a pid");
  EXPECT_EQ(err(WatchField::Pid, "0"), "'0' is not a pid");
  EXPECT_EQ(err(WatchField::Pid, "-3"), "'-3' is not a pid");
  EXPECT_EQ(err(WatchField::Pid, "1,"), "'' is not a pid");
  EXPECT_EQ(err(WatchField::Pid, "99999999999"), "'99999999999' is not a pid");
  EXPECT_EQ(err(WatchField::Uid, "root"), "'root' is not a uid");
  EXPECT_EQ(err(WatchField::Uid, "4294967295"), "'4294967295' is not a uid");
  EXPECT_EQ(err(WatchField::Event, "unshare,fork"),
            "'fork' is not an event kind (clone, unshare, setns, denied, exit, lost, suppressed, "
            "container_removed)");
  EXPECT_EQ(err(WatchField::Comm, "a_very_long_command"),
            "comm 'a_very_long_command' is longer than the 15 bytes the kernel keeps");
  EXPECT_EQ(err(WatchField::Comm, ""), "an empty comm matches no process");
  EXPECT_EQ(err(WatchField::Container, "init_container"),
            "container 'init_container' is not a container path (/init_container/...)");
  EXPECT_EQ(err(WatchField::Uid, "0"), "accepted");
  EXPECT_EQ(err(WatchField::Comm, "fifteen_bytes__"), "accepted");
}

}  // namespace
}  // namespace nsgroup
