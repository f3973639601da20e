// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * nsgroup's kernel side: every namespace created or entered on the host.
 *
 * Two hook sets, chosen by the agent at load time. The tracepoints (raw
 * sched_process_fork/exit, the unshare/setns/clone/clone3 syscall
 * tracepoints) are always loaded and are enough on their own, so the file
 * loads on kernels without BPF trampolines. Where trampolines exist the
 * agent adds two fexit programs (copy_namespaces, unshare_nsproxy_namespaces)
 * on top: they see the flags of every copy_process() caller, not only the
 * clone syscalls, and unshare's before-set where the kernel builds the new
 * nsproxy. Both sets send the same records.
 *
 * A fork that changes no namespace emits nothing unless its parent is
 * tracked (a member of a non-initial container): then a small fork record
 * keeps the agent's membership exact. Every record goes through one ring
 * buffer. What is not delivered is counted per CPU by cause (counters):
 * a full ring, a full tracked map, an evicted pending slot, and denied
 * records over their uid's rate, the only ones dropped on purpose.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "nsgroup/events.h"
#include "ns_read.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set between open and load. */
const volatile bool emit_forks = true;
/* The agent itself: its helper threads setns to read hostnames. */
const volatile __u32 ignore_tgid = 0;
/*
 * The kernel has bpf_get_current_task_btf() (5.11): the caller's task is
 * then read with plain loads instead of a helper call per pointer, which
 * halves what an unshare costs. Probed and set by the agent.
 */
const volatile bool task_btf = false;
/* Bytes waiting in the ring that wake the agent whatever the time. */
const volatile __u64 wake_bytes = 1024 * 1024;
/*
 * The rate of denied records per uid: one per denied_interval_ns, and up
 * to denied_tolerance_ns / denied_interval_ns + 1 at once. Any user makes
 * them for free (setns(-1, 0) in a loop); what is over is counted, per uid
 * and in NSG_CNT_SUPPRESSED. 0: no limit.
 */
const volatile __u64 denied_interval_ns = 0;
const volatile __u64 denied_tolerance_ns = 0;

/*
 * The initial namespaces, written by the agent after load (root_known = 1).
 * A process whose set becomes this one leaves the tracked map here, in the
 * kernel, in event order: user space untracking later would race with the
 * process's next unshare or setns.
 */
struct nsg_ns_set root_ns = {};
__u32 root_known = 0;

/* A syscall in flight: what the caller asked for, and its set before. */
struct pending {
	__u64 flags;
	__s32 fd;
	__u32 syscall;
	struct nsg_ns_set before;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps");

/* What was dropped, by cause (enum nsg_counter). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSG_CNT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* The denied records' budget of each uid that made them lately. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct nsg_uid_budget);
} denied_budget SEC(".maps");

/* Thread groups whose exit and forks the agent wants to see. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} tracked SEC(".maps");

/*
 * Hook set "fexit": the flags copy_namespaces() was called with, keyed by
 * the new task, until sched_process_fork (which knows its pid) reports it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} fork_flags SEC(".maps");

/*
 * A slot per thread that made a namespace call, kept after the call
 * (pending_slot). LRU: threads come and go, and a thread killed inside a
 * call never reaches its exit hook; the least recently used slots go.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct pending);
} pending SEC(".maps");

/* Per CPU: when a namespace record last woke the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_wake SEC(".maps");

/*
 * A namespace record wakes the agent at once when none did in the last
 * millisecond on this CPU, or when wake_bytes wait: alone, a record is seen
 * at once; in a burst of unshares, one wakeup drains thousands, instead of
 * a wakeup per record that the burst itself pays for. What does not wake
 * is drained by the agent's short timer.
 */
static __always_inline __u64 ns_wakeup(const struct nsg_ns_event *e)
{
	__u32 key = 0;
	__u64 *last = bpf_map_lookup_elem(&last_wake, &key);
	/* The record's own time: a clock read costs more than the rest. */
	__u64 now = e->hdr.ts_boot_ns;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wake_bytes)
		return BPF_RB_FORCE_WAKEUP;
	if (!last || now - *last >= 1000000) {
		if (last)
			*last = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void count(__u32 cause)
{
	__u64 *n = bpf_map_lookup_elem(&counters, &cause);

	if (n)
		*n += 1;
}

static __always_inline void track(__u32 tgid)
{
	__u8 one = 1;

	/* A lookup costs a fraction of an update, and most are repeats. */
	if (bpf_map_lookup_elem(&tracked, &tgid))
		return;
	/* Full: the agent sees the count and rescans, which heals the tree. */
	if (bpf_map_update_elem(&tracked, &tgid, &one, BPF_ANY))
		count(NSG_CNT_TRACKED_FULL);
}

/*
 * Whether uid may have one more denied record now (GCRA). Racing CPUs may
 * let a few more through than the rate says; none is lost uncounted.
 */
static __always_inline bool denied_allowed(__u32 uid)
{
	struct nsg_uid_budget *b, fresh = {};
	__u64 now, tat;

	if (!denied_interval_ns)
		return true;
	now = bpf_ktime_get_boot_ns();
	b = bpf_map_lookup_elem(&denied_budget, &uid);
	if (!b) {
		fresh.tat = now + denied_interval_ns;
		bpf_map_update_elem(&denied_budget, &uid, &fresh, BPF_NOEXIST);
		return true;
	}
	tat = b->tat > now ? b->tat : now;
	if (tat - now > denied_tolerance_ns) {
		__sync_fetch_and_add(&b->suppressed, 1);
		count(NSG_CNT_SUPPRESSED);
		return false;
	}
	b->tat = tat + denied_interval_ns;
	return true;
}

static __always_inline bool ns_set_equal(const struct nsg_ns_set *a,
					 const struct nsg_ns_set *b)
{
	for (int i = 0; i < NSG_NS_COUNT; i++) {
		if (a->inum[i] != b->inum[i] || a->id[i] != b->id[i])
			return false;
	}
	return true;
}

/*
 * Tracks tgid, or forgets it when its leader is in the root set: a process
 * belongs where its leader is (/proc/PID/ns), whichever thread moved. A
 * thread that goes out and back (Go's LockOSThread + setns) must not leave
 * its process tracked, and every child it forks after.
 */
static __always_inline void track_set(__u32 tgid, __u32 tid,
				      const struct nsg_ns_set *after)
{
	struct nsg_ns_set leader_set;
	const struct nsg_ns_set *set = after;

	if (root_known && tid != tgid) {
		struct task_struct *t =
			(struct task_struct *)bpf_get_current_task();

		task_ns_set(BPF_CORE_READ(t, group_leader), &leader_set, false);
		set = &leader_set;
	}
	if (root_known && ns_set_equal(set, &root_ns)) {
		bpf_map_delete_elem(&tracked, &tgid);
		return;
	}
	track(tgid);
}

/*
 * A record of size bytes with its header filled, or NULL (counted as lost).
 * Inlined so that size reaches bpf_ringbuf_reserve() as a constant, which
 * the verifier requires.
 */
static __always_inline void *reserve_record(__u16 type, __u16 size)
{
	struct nsg_header *h;

	h = bpf_ringbuf_reserve(&events, size, 0);
	if (!h) {
		count(NSG_CNT_RING_FULL);
		return NULL;
	}
	h->type = type;
	h->size = size;
	h->_pad0 = 0;
	h->ts_boot_ns = bpf_ktime_get_boot_ns();
	return h;
}

static __always_inline struct nsg_ns_event *reserve_ns_event(__u16 type)
{
	struct nsg_ns_event *e = reserve_record(type, sizeof(*e));

	if (!e)
		return NULL;
	e->fd = -1;
	e->ret = 0;
	e->flags = 0;
	e->syscall = NSG_SYS_NONE;
	return e;
}

/* The caller's ten namespaces. */
static __always_inline void current_ns_set(struct nsg_ns_set *s)
{
	if (task_btf)
		task_ns_set(bpf_get_current_task_btf(), s, true);
	else
		task_ns_set((struct task_struct *)bpf_get_current_task(), s,
			    false);
}

/* Fill the subject fields of e from the current task. */
static __always_inline void fill_current(struct nsg_ns_event *e)
{
	__u64 id = bpf_get_current_pid_tgid();

	e->pid = id >> 32;
	e->tid = (__u32)id;
	if (task_btf) {
		struct task_struct *t = bpf_get_current_task_btf();

		e->ppid = t->real_parent->tgid;
		e->start_ticks = start_ticks(t, true);
	} else {
		struct task_struct *t =
			(struct task_struct *)bpf_get_current_task();

		e->ppid = BPF_CORE_READ(t, real_parent, tgid);
		e->start_ticks = start_ticks(t, false);
	}
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->creator_tid = e->tid;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline void emit_fork(struct task_struct *child, __u32 ptgid)
{
	struct nsg_fork_event *e = reserve_record(NSG_REC_FORK, sizeof(*e));

	if (!e)
		return;
	e->pid = BPF_CORE_READ(child, tgid);
	e->ppid = ptgid;
	e->start_ticks = start_ticks(child, false);
	BPF_CORE_READ_STR_INTO(&e->comm, child, comm);
	/* Membership only: no wakeup; the agent drains on a short timer. */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

SEC("raw_tp/sched_process_fork")
int sched_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	/*
	 * The process's container follows its leader (/proc/PID/ns does); a
	 * child copies the forking thread, which may have entered other
	 * namespaces on its own (Go's LockOSThread + setns + exec).
	 */
	struct task_struct *leader = BPF_CORE_READ(parent, group_leader);
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	struct nsg_ns_event *e;
	struct pending *p;
	__u64 key, *f;
	__u32 tid;

	/* A new thread belongs to its process's container. */
	if (ctgid == ptgid)
		return 0;

	/*
	 * Fast path: copy_namespaces() shares the nsproxy when nothing is
	 * new, creds carry the user namespace, and the active pid namespace
	 * differs only after unshare(CLONE_NEWPID) or setns into a pid ns.
	 */
	if (BPF_CORE_READ(leader, nsproxy) == BPF_CORE_READ(child, nsproxy) &&
	    BPF_CORE_READ(leader, real_cred, user_ns) ==
		    BPF_CORE_READ(child, real_cred, user_ns) &&
	    active_pid_ns(leader) == active_pid_ns(child))
		goto same;

	e = reserve_ns_event(NSG_REC_CLONE);
	if (!e) {
		/* The record is lost (and counted); the exit must not be. */
		track(ctgid);
		return 0;
	}
	task_ns_set(leader, &e->before, false);
	task_ns_set(child, &e->after, false);
	if (ns_set_equal(&e->before, &e->after)) {
		bpf_ringbuf_discard(e, 0);
		goto same;
	}
	/* "before" is what the child was copied from: new_ns = what it made. */
	if (leader != parent)
		task_ns_set(parent, &e->before, false);
	e->pid = ctgid;
	e->tid = BPF_CORE_READ(child, pid);
	e->ppid = ptgid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->creator_tid = BPF_CORE_READ(parent, pid);
	e->start_ticks = start_ticks(child, false);
	BPF_CORE_READ_STR_INTO(&e->comm, child, comm);
	tid = e->creator_tid;
	p = bpf_map_lookup_elem(&pending, &tid);
	if (p && p->syscall != NSG_SYS_NONE) {
		e->flags = p->flags;
		e->syscall = p->syscall;
	}
	/* With the fexit hooks: the flags copy_namespaces() itself saw. */
	key = (__u64)child;
	f = bpf_map_lookup_elem(&fork_flags, &key);
	if (f) {
		e->flags = *f;
		bpf_map_delete_elem(&fork_flags, &key);
	}
	track_set(ctgid, ctgid, &e->after);
	bpf_ringbuf_submit(e, ns_wakeup(e));
	return 0;

same:
	if (emit_forks && bpf_map_lookup_elem(&tracked, &ptgid)) {
		track(ctgid);
		emit_fork(child, ptgid);
	}
	return 0;
}

SEC("raw_tp/sched_process_exit")
int sched_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct nsg_exit_event *e;

	if (!bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	/* do_exit() has counted this thread out: 0 means the group is gone. */
	if (BPF_CORE_READ(t, signal, live.counter) != 0)
		return 0;
	bpf_map_delete_elem(&tracked, &tgid);

	e = reserve_record(NSG_REC_EXIT, sizeof(*e));
	if (!e)
		return 0;
	e->pid = tgid;
	e->exit_code = BPF_CORE_READ(t, exit_code);
	e->start_ticks = start_ticks(t, false);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	/* As for forks: a fork+exit storm must not wake the agent twice a process. */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	return 0;
}

/*
 * The calling thread's pending slot, which outlives its call: an unshare
 * loop then pays a lookup per call and writes in place, instead of an
 * insert and a delete of 190 bytes (which cost more than the rest of the
 * program). syscall == NSG_SYS_NONE marks a slot with no call in flight.
 */
static __always_inline struct pending *pending_slot(__u32 tid)
{
	struct pending *p = bpf_map_lookup_elem(&pending, &tid);
	struct pending fresh = {};

	if (p)
		return p;
	bpf_map_update_elem(&pending, &tid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&pending, &tid);
}

/* Remember a namespace request until its syscall returns. */
static __always_inline void remember(__u64 flags, __s32 fd, __u32 syscall)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct pending *p;

	if (ignore_tgid && (id >> 32) == ignore_tgid)
		return;
	p = pending_slot((__u32)id);
	if (!p)
		return;
	p->flags = flags;
	p->fd = fd;
	p->syscall = syscall;
	current_ns_set(&p->before);
}

/*
 * The calling thread's request of this syscall, if one is in flight.
 * `always_remembered`: the enter hook made a slot for every call, so a
 * missing one was evicted (or could not be made): counted.
 */
static __always_inline struct pending *in_flight(__u32 syscall,
						 bool always_remembered)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct pending *p = bpf_map_lookup_elem(&pending, &tid);

	if (!p && always_remembered &&
	    !(ignore_tgid && (id >> 32) == ignore_tgid))
		count(NSG_CNT_PENDING_MISS);
	return p && p->syscall == syscall ? p : NULL;
}

/*
 * On return of unshare/setns/clone: a failure is "denied"; a success that
 * changed the caller's set (always, for setns) is reported with both sets.
 */
static __always_inline void complete(struct pending *p, long ret,
				     __u16 ok_type, bool always)
{
	struct nsg_ns_event *e;

	if (ret >= 0 && !ok_type)
		goto out;
	/* -ERESTARTSYS .. -ERESTART_RESTARTBLOCK: the call runs again. */
	if (ret <= -512 && ret >= -516)
		goto out;
	if (ret < 0 && !denied_allowed((__u32)bpf_get_current_uid_gid()))
		goto out;

	e = reserve_ns_event(ret < 0 ? NSG_REC_DENIED : ok_type);
	if (!e) {
		/* The record is lost (and counted); the exit must not be. */
		if (ret >= 0)
			track(bpf_get_current_pid_tgid() >> 32);
		goto out;
	}
	fill_current(e);
	e->flags = p->flags;
	e->fd = p->fd;
	e->syscall = p->syscall;
	e->ret = ret;
	__builtin_memcpy(&e->before, &p->before, sizeof(e->before));
	current_ns_set(&e->after);
	if (ret >= 0 && !always && ns_set_equal(&e->before, &e->after)) {
		bpf_ringbuf_discard(e, 0);
		goto out;
	}
	if (ret >= 0)
		track_set(e->pid, e->tid, &e->after);
	bpf_ringbuf_submit(e, ns_wakeup(e));
out:
	p->syscall = NSG_SYS_NONE;
}

SEC("tp/syscalls/sys_enter_unshare")
int unshare_enter(struct trace_event_raw_sys_enter *ctx)
{
	remember(ctx->args[0], -1, NSG_SYS_UNSHARE);
	return 0;
}

SEC("tp/syscalls/sys_exit_unshare")
int unshare_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending *p = in_flight(NSG_SYS_UNSHARE, true);

	if (!p)
		return 0;
	/* A failed unshare that asked for no namespace is not ours. */
	if (ctx->ret < 0 && !(p->flags & NSG_CLONE_NEW_MASK)) {
		p->syscall = NSG_SYS_NONE;
		return 0;
	}
	complete(p, ctx->ret, NSG_REC_UNSHARE, false);
	return 0;
}

SEC("tp/syscalls/sys_enter_setns")
int setns_enter(struct trace_event_raw_sys_enter *ctx)
{
	remember((__u32)ctx->args[1], (__s32)ctx->args[0], NSG_SYS_SETNS);
	return 0;
}

SEC("tp/syscalls/sys_exit_setns")
int setns_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending *p = in_flight(NSG_SYS_SETNS, true);

	if (p)
		complete(p, ctx->ret, NSG_REC_SETNS, true);
	return 0;
}

SEC("tp/syscalls/sys_enter_clone")
int clone_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = ctx->args[0];

	/* The low byte of clone(2) flags is the exit signal. */
	if (flags & NSG_CLONE_NEW_MASK_CLONE)
		remember(flags & ~0xffULL, -1, NSG_SYS_CLONE);
	return 0;
}

SEC("tp/syscalls/sys_exit_clone")
int clone_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending *p = in_flight(NSG_SYS_CLONE, false);

	/* Success is reported by sched_fork, in the middle of the call. */
	if (p)
		complete(p, ctx->ret, 0, false);
	return 0;
}

SEC("tp/syscalls/sys_enter_clone3")
int clone3_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = 0;

	if (bpf_probe_read_user(&flags, sizeof(flags), (void *)ctx->args[0]))
		return 0;
	if (flags & NSG_CLONE_NEW_MASK)
		remember(flags, -1, NSG_SYS_CLONE3);
	return 0;
}

SEC("tp/syscalls/sys_exit_clone3")
int clone3_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pending *p = in_flight(NSG_SYS_CLONE3, false);

	if (p)
		complete(p, ctx->ret, 0, false);
	return 0;
}

/*
 * Hook set "fexit" (kernels with BPF trampolines), loaded on top of the
 * tracepoints: the flags as copy_namespaces() saw them (every caller of
 * copy_process, not only clone syscalls) and unshare's before-set taken
 * where the kernel builds the new nsproxy. The events are the same. Arguments are read from ctx by index: 6.1's verifier
 * refuses a typed read of unshare_nsproxy_namespaces' struct nsproxy **.
 */
SEC("fexit/copy_namespaces")
int copy_ns_exit(unsigned long long *ctx)
{
	__u64 flags = ctx[0];
	__u64 key = ctx[1]; /* struct task_struct *tsk */
	__u64 ret = 0;

	bpf_get_func_ret(ctx, &ret);
	if ((int)ret == 0 && (flags & NSG_CLONE_NEW_MASK))
		bpf_map_update_elem(&fork_flags, &key, &flags, BPF_ANY);
	return 0;
}

SEC("fexit/unshare_nsproxy_namespaces")
int unshare_ns_exit(unsigned long long *ctx)
{
	/* Before switch_task_namespaces(): the caller's set is still the old one. */
	remember((__u32)ctx[0], -1, NSG_SYS_UNSHARE);
	return 0;
}
