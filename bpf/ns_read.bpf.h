/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A task's namespaces and start time, read with CO-RE: shared by the event
 * programs (nsgroup.bpf.c) and the task iterator (iter.bpf.c), so that both
 * describe a process the same way. Include after vmlinux.h,
 * <bpf/bpf_core_read.h> and "nsgroup/events.h".
 */
#ifndef NSGROUP_NS_READ_BPF_H
#define NSGROUP_NS_READ_BPF_H

static __always_inline void read_ns(struct ns_common *nc,
				    struct nsg_ns_set *s, int i)
{
	s->inum[i] = BPF_CORE_READ(nc, inum);
	if (bpf_core_field_exists(nc->ns_id))
		s->id[i] = BPF_CORE_READ(nc, ns_id);
	else
		s->id[i] = 0;
}

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
					struct nsg_ns_set *s)
{
	struct nsproxy *nsp = BPF_CORE_READ(t, nsproxy);
	struct cgroup_namespace *cg = BPF_CORE_READ(nsp, cgroup_ns);
	struct ipc_namespace *ipc = BPF_CORE_READ(nsp, ipc_ns);
	struct mnt_namespace *mnt = BPF_CORE_READ(nsp, mnt_ns);
	struct net *net = BPF_CORE_READ(nsp, net_ns);
	struct pid_namespace *pid = active_pid_ns(t);
	struct pid_namespace *pidc = BPF_CORE_READ(nsp, pid_ns_for_children);
	struct time_namespace *tm = BPF_CORE_READ(nsp, time_ns);
	struct time_namespace *tmc = BPF_CORE_READ(nsp, time_ns_for_children);
	struct user_namespace *user = BPF_CORE_READ(t, real_cred, user_ns);
	struct uts_namespace *uts = BPF_CORE_READ(nsp, uts_ns);

	read_ns(&cg->ns, s, NSG_NS_CGROUP);
	read_ns(&ipc->ns, s, NSG_NS_IPC);
	read_ns(&mnt->ns, s, NSG_NS_MNT);
	read_ns(&net->ns, s, NSG_NS_NET);
	read_ns(&pid->ns, s, NSG_NS_PID);
	read_ns(&pidc->ns, s, NSG_NS_PID_FOR_CHILDREN);
	read_ns(&tm->ns, s, NSG_NS_TIME);
	read_ns(&tmc->ns, s, NSG_NS_TIME_FOR_CHILDREN);
	read_ns(&user->ns, s, NSG_NS_USER);
	read_ns(&uts->ns, s, NSG_NS_UTS);
}

/* /proc/PID/stat's start time: clock ticks (USER_HZ 100) since boot. */
static __always_inline __u64 start_ticks(struct task_struct *t)
{
	struct task_struct *leader = BPF_CORE_READ(t, group_leader);

	return BPF_CORE_READ(leader, start_boottime) / 10000000ULL;
}

#endif /* NSGROUP_NS_READ_BPF_H */
