/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A task's namespaces and start time, read with CO-RE: shared by the event
 * programs (nsgroup.bpf.c) and the task iterator (iter.bpf.c), so that both
 * describe a process the same way. Include after vmlinux.h,
 * <bpf/bpf_core_read.h> and "nsgroup/events.h".
 */
#ifndef NSGROUP_NS_READ_BPF_H
#define NSGROUP_NS_READ_BPF_H

/*
 * src->a->b...: a plain load where src is a trusted BTF pointer (from
 * bpf_get_current_task_btf(), or an iterator's task), which the verifier
 * turns into a fault-safe load; else bpf_probe_read_kernel(), a helper call
 * per step. direct is a constant at every call site, so only one of the two
 * is compiled.
 */
#define NSG_READ(direct, src, a, ...)                                  \
	((direct) ? ___arrow(src, a, ##__VA_ARGS__)                    \
		  : BPF_CORE_READ(src, a, ##__VA_ARGS__))

/*
 * ns_common's ns_id (Linux 6.18), declared here rather than taken from
 * vmlinux.h: the arch dumps come from different kernels (arm64's is 6.1,
 * which has no ns_id), and the program must compile against any of them.
 * libbpf matches the ___id flavour to the running kernel's ns_common, ns_id
 * inside its anonymous union included; a kernel without it reads 0.
 */
struct ns_common___id {
	__u64 ns_id;
} __attribute__((preserve_access_index));

static __always_inline void read_ns(struct ns_common *nc,
				    struct nsg_ns_set *s, int i, bool direct)
{
	struct ns_common___id *idc = (struct ns_common___id *)nc;

	s->inum[i] = NSG_READ(direct, nc, inum);
	if (bpf_core_field_exists(idc->ns_id))
		s->id[i] = NSG_READ(direct, idc, ns_id);
	else
		s->id[i] = 0;
}

/*
 * pid->numbers[pid->level].ns. A task of the initial pid namespace (level
 * 0, most of them) is read with plain loads; a deeper level is an index
 * with a variable offset, which only a helper may read, and the verifier
 * sees what that returns as a plain number: its fields are helper reads
 * too. Either way the ns_common of the namespace goes to s[NSG_NS_PID].
 */
static __always_inline void read_pid_ns(struct task_struct *t,
					struct nsg_ns_set *s, bool direct)
{
	struct pid *pid = NSG_READ(direct, t, thread_pid);
	unsigned int level = NSG_READ(direct, pid, level);
	struct upid up = {};

	if (level == 0) {
		read_ns(&NSG_READ(direct, pid, numbers[0].ns)->ns, s,
			NSG_NS_PID, direct);
		return;
	}
	bpf_core_read(&up, sizeof(up), pid->numbers + level);
	read_ns(&up.ns->ns, s, NSG_NS_PID, false);
}

/* The active pid namespace of t, as a pointer to compare (helper reads). */
static __always_inline struct pid_namespace *
active_pid_ns(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	bpf_core_read(&up, sizeof(up), pid->numbers + level);
	return up.ns;
}

/* The ten links of /proc/PID/ns/ for task t, read as the kernel sees them. */
static __always_inline void task_ns_set(struct task_struct *t,
					struct nsg_ns_set *s, bool direct)
{
	struct nsproxy *nsp = NSG_READ(direct, t, nsproxy);

	read_ns(&NSG_READ(direct, nsp, cgroup_ns)->ns, s, NSG_NS_CGROUP, direct);
	read_ns(&NSG_READ(direct, nsp, ipc_ns)->ns, s, NSG_NS_IPC, direct);
	read_ns(&NSG_READ(direct, nsp, mnt_ns)->ns, s, NSG_NS_MNT, direct);
	read_ns(&NSG_READ(direct, nsp, net_ns)->ns, s, NSG_NS_NET, direct);
	read_pid_ns(t, s, direct);
	read_ns(&NSG_READ(direct, nsp, pid_ns_for_children)->ns, s,
		NSG_NS_PID_FOR_CHILDREN, direct);
	read_ns(&NSG_READ(direct, nsp, time_ns)->ns, s, NSG_NS_TIME, direct);
	read_ns(&NSG_READ(direct, nsp, time_ns_for_children)->ns, s,
		NSG_NS_TIME_FOR_CHILDREN, direct);
	read_ns(&NSG_READ(direct, t, real_cred, user_ns)->ns, s, NSG_NS_USER,
		direct);
	read_ns(&NSG_READ(direct, nsp, uts_ns)->ns, s, NSG_NS_UTS, direct);
}

/* /proc/PID/stat's start time: clock ticks (USER_HZ 100) since boot. */
static __always_inline __u64 start_ticks(struct task_struct *t, bool direct)
{
	return NSG_READ(direct, t, group_leader, start_boottime) / 10000000ULL;
}

#endif /* NSGROUP_NS_READ_BPF_H */
