/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The one definition of every record the BPF programs send to user space.
 * Included by bpf/nsgroup.bpf.c and bpf/iter.bpf.c (with vmlinux.h) and by
 * the C++ agent (with <linux/types.h>). Plain C, fixed-width types,
 * explicit padding, a size assertion per struct: both compilers must agree
 * byte for byte.
 */
#ifndef NSGROUP_EVENTS_H
#define NSGROUP_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#ifdef __cplusplus
#define NSG_STATIC_ASSERT static_assert
#else
#define NSG_STATIC_ASSERT _Static_assert
#endif

/* Index of each namespace in a set, in the order of the "ns" object (docs/design.md). */
enum nsg_ns_index {
	NSG_NS_CGROUP = 0,
	NSG_NS_IPC = 1,
	NSG_NS_MNT = 2,
	NSG_NS_NET = 3,
	NSG_NS_PID = 4, /* the task's active pid namespace */
	NSG_NS_PID_FOR_CHILDREN = 5,
	NSG_NS_TIME = 6,
	NSG_NS_TIME_FOR_CHILDREN = 7,
	NSG_NS_USER = 8,
	NSG_NS_UTS = 9,
	NSG_NS_COUNT = 10,
};

enum nsg_record_type {
	NSG_REC_CLONE = 1,   /* a child whose namespace set differs from its parent's */
	NSG_REC_UNSHARE = 2, /* unshare(2) that changed the caller's set */
	NSG_REC_SETNS = 3,   /* setns(2) that succeeded */
	NSG_REC_DENIED = 4,  /* a namespace request that failed */
	NSG_REC_EXIT = 5,    /* a tracked thread group is gone */
	NSG_REC_FORK = 6,    /* a tracked process forked, namespaces unchanged */
	NSG_REC_TASK = 7,    /* the task iterator: one thread-group leader */
};

/* Which system call a record comes from (clone records: the creator's call). */
enum nsg_syscall {
	NSG_SYS_NONE = 0, /* unknown: a fork with no pending clone request */
	NSG_SYS_CLONE = 1,
	NSG_SYS_CLONE3 = 2,
	NSG_SYS_UNSHARE = 3,
	NSG_SYS_SETNS = 4,
};

/* Every CLONE_NEW* flag: the namespace-creating bits of clone/unshare. */
#define NSG_CLONE_NEWTIME 0x00000080ULL
#define NSG_CLONE_NEWNS 0x00020000ULL
#define NSG_CLONE_NEWCGROUP 0x02000000ULL
#define NSG_CLONE_NEWUTS 0x04000000ULL
#define NSG_CLONE_NEWIPC 0x08000000ULL
#define NSG_CLONE_NEWUSER 0x10000000ULL
#define NSG_CLONE_NEWPID 0x20000000ULL
#define NSG_CLONE_NEWNET 0x40000000ULL
/* CLONE_NEWTIME shares its bit with the exit signal in clone(2). */
#define NSG_CLONE_NEW_MASK_CLONE                                               \
	(NSG_CLONE_NEWNS | NSG_CLONE_NEWCGROUP | NSG_CLONE_NEWUTS |            \
	 NSG_CLONE_NEWIPC | NSG_CLONE_NEWUSER | NSG_CLONE_NEWPID |             \
	 NSG_CLONE_NEWNET)
#define NSG_CLONE_NEW_MASK (NSG_CLONE_NEW_MASK_CLONE | NSG_CLONE_NEWTIME)

/* A task's ten namespaces. id[] is 0 where the kernel has no ns_id. */
struct nsg_ns_set {
	__u32 inum[NSG_NS_COUNT];
	__u64 id[NSG_NS_COUNT];
};
NSG_STATIC_ASSERT(sizeof(struct nsg_ns_set) == 120, "nsg_ns_set layout");

struct nsg_header {
	__u16 type; /* enum nsg_record_type */
	__u16 size; /* bytes of the whole record */
	__u32 _pad0;
	__u64 ts_boot_ns; /* bpf_ktime_get_boot_ns() */
};
NSG_STATIC_ASSERT(sizeof(struct nsg_header) == 16, "nsg_header layout");

/*
 * One record for clone, unshare, setns, denied and fork. "before" is the
 * caller's set when the call started (clone: the parent's set), "after" the
 * set that resulted (clone: the child's).
 */
struct nsg_ns_event {
	struct nsg_header hdr;
	__u32 pid;  /* tgid of the subject (clone: the child) */
	__u32 tid;  /* thread id of the subject */
	__u32 ppid; /* tgid of the subject's parent (clone: the creator) */
	__u32 uid;  /* real uid of the caller, in the initial user namespace */
	__u64 flags;   /* clone/unshare flags, setns nstype */
	__s32 ret;     /* return value, -errno on failure */
	__s32 fd;      /* setns: the fd argument; else -1 */
	__u32 syscall; /* enum nsg_syscall */
	__u32 creator_tid; /* clone: the thread that called clone */
	__u64 start_ticks; /* subject's start time, clock ticks since boot (/proc/PID/stat field 22) */
	char comm[16];
	struct nsg_ns_set before;
	struct nsg_ns_set after;
};
NSG_STATIC_ASSERT(sizeof(struct nsg_ns_event) == 320, "nsg_ns_event layout");

/* A tracked process forked a child that keeps its namespaces. */
struct nsg_fork_event {
	struct nsg_header hdr;
	__u32 pid;  /* the child's tgid */
	__u32 ppid; /* the parent's tgid */
	__u64 start_ticks;
	char comm[16];
};
NSG_STATIC_ASSERT(sizeof(struct nsg_fork_event) == 48, "nsg_fork_event layout");

struct nsg_exit_event {
	struct nsg_header hdr;
	__u32 pid;
	__u32 exit_code; /* task->exit_code of the last thread: wait(2) status */
	__u64 start_ticks;
	char comm[16];
};
NSG_STATIC_ASSERT(sizeof(struct nsg_exit_event) == 48, "nsg_exit_event layout");

/*
 * What the kernel side drops, by cause: one slot each in the per-CPU array
 * "counters". Every record not delivered is counted in exactly one.
 */
enum nsg_counter {
	NSG_CNT_RING_FULL = 0,	 /* a record: the ring buffer was full */
	NSG_CNT_TRACKED_FULL = 1, /* a process not tracked: the map was full */
	NSG_CNT_PENDING_MISS = 2, /* a call whose pending slot was evicted or never made */
	NSG_CNT_SUPPRESSED = 3,	 /* a denied record over its uid's rate */
	NSG_CNT_COUNT = 4,
};

/*
 * Per uid, the rate limit of denied records (GCRA): "tat" is the time,
 * boot clock ns, at which the uid's budget is whole again; "suppressed"
 * counts, from the entry's creation, the records it cost. User space reads
 * the totals and reports what grew.
 */
struct nsg_uid_budget {
	__u64 tat;
	__u64 suppressed;
};
NSG_STATIC_ASSERT(sizeof(struct nsg_uid_budget) == 16, "nsg_uid_budget layout");

/* task->flags bit of a kernel thread (PF_KTHREAD). */
#define NSG_PF_KTHREAD 0x00200000U

/*
 * The task iterator's record (bpf/iter.bpf.c), written back to back with
 * bpf_seq_write into the stream a read of the iterator returns: one per
 * thread-group leader that still has its namespaces. The kernel
 * NUL-terminates the strings (user space still bounds them by their field);
 * a string the kernel would not give is empty.
 */
struct nsg_task_record {
	struct nsg_header hdr; /* type NSG_REC_TASK, size: this struct */
	__u32 pid;
	__u32 ppid;        /* real_parent's tgid (/proc/PID/stat field 4) */
	__u64 start_ticks; /* clock ticks since boot (/proc/PID/stat field 22) */
	__u32 flags;       /* task->flags (NSG_PF_KTHREAD: a kernel thread) */
	__u32 _pad0;
	char comm[16];
	struct nsg_ns_set ns; /* pid_for_children even before a first child */
	char nodename[65];    /* the UTS namespace's hostname */
	char _pad1[7];
	char cgroup[128]; /* leaf name of the task's cgroup v2 directory */
};
NSG_STATIC_ASSERT(sizeof(struct nsg_task_record) == 376, "nsg_task_record layout");

#endif /* NSGROUP_EVENTS_H */
