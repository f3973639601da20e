// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The bootstrap scan as one read: a task iterator that writes, for every
 * thread-group leader, its pid, parent, start time, comm, ten namespaces
 * (inodes and ids, read as the event programs read them), UTS hostname and
 * cgroup v2 leaf. No readlink per process, no setns per UTS namespace; and
 * pid_for_children comes straight from the nsproxy, where /proc answers
 * ENOENT until the new pid namespace has its first process.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "nsgroup/events.h"
#include "ns_read.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * The record is built here rather than on the stack: 376 bytes plus what
 * the inlined readers need would crowd the 512-byte BPF stack. Iterator
 * programs do not migrate while they run, so one slot per CPU suffices.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nsg_task_record);
} scratch SEC(".maps");

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *t = ctx->task;
	struct nsg_task_record *r;
	struct uts_namespace *uts;
	struct nsproxy *nsp;
	const char *cgname;
	__u32 key = 0;

	/* NULL once, after the last task. */
	if (!t)
		return 0;
	/* One record per process: its leader speaks for it, as in /proc. */
	if (BPF_CORE_READ(t, pid) != BPF_CORE_READ(t, tgid))
		return 0;
	/* Exiting: exit_task_namespaces() has already dropped them. */
	nsp = BPF_CORE_READ(t, nsproxy);
	if (!nsp)
		return 0;
	r = bpf_map_lookup_elem(&scratch, &key);
	if (!r)
		return 0;
	/* The slot still holds the previous task: no byte of it may leak. */
	__builtin_memset(r, 0, sizeof(*r));

	r->hdr.type = NSG_REC_TASK;
	r->hdr.size = sizeof(*r);
	r->hdr.ts_boot_ns = bpf_ktime_get_boot_ns();
	r->pid = BPF_CORE_READ(t, tgid);
	r->ppid = BPF_CORE_READ(t, real_parent, tgid);
	r->start_ticks = start_ticks(t, true);
	r->flags = BPF_CORE_READ(t, flags);
	BPF_CORE_READ_STR_INTO(&r->comm, t, comm);
	task_ns_set(t, &r->ns, true);

	uts = BPF_CORE_READ(nsp, uts_ns);
	bpf_core_read_str(r->nodename, sizeof(r->nodename),
			  &uts->name.nodename);

	/* The cgroup v2 directory's own name (a runtime puts its id there). */
	cgname = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, name);
	if (cgname)
		bpf_probe_read_kernel_str(r->cgroup, sizeof(r->cgroup), cgname);

	bpf_seq_write(seq, r, sizeof(*r));
	return 0;
}
