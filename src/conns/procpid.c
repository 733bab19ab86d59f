/*
 * procpid: socket inode -> owning process, with a cache that rescans /proc
 * only for inodes it has not seen (see procpid.h).
 *
 * The cache is an array of owners sorted by inode: an update radix-sorts
 * the inodes it is given and merges them into it in one pass, a lookup is
 * a binary search.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conns/procpid.h"

enum pp_state {
	PP_UNKNOWN,	/* new, not searched for yet */
	PP_FOUND,
	PP_MISSED	/* searched for and not found: pid 0 */
};

struct pp_owner {
	uint32_t	po_inode;
	uint8_t		po_state;	/* enum pp_state */
	pid_t		po_pid;
	char		po_comm[PP_COMM_MAX];
};

/* A process and how many cached sockets it owned at the last scan. */
struct pp_task {
	pid_t		pt_pid;
	uint32_t	pt_sockets;
};

struct procpid {
	char			*pp_root;
	struct pp_owner		*pp_owners;	/* sorted by po_inode */
	size_t			 pp_nowners;
	size_t			 pp_owners_cap;
	struct pp_owner		*pp_spare;	/* merge target, same cap */
	uint32_t		*pp_inodes;	/* update's sorted copy */
	uint32_t		*pp_radix;	/* its sorting scratch */
	size_t			 pp_inodes_cap;	/* of both */
	struct pp_task		*pp_owner_pids;	/* by pid: sockets each */
	size_t			 pp_nowner_pids;
	size_t			 pp_owner_pids_cap;
	struct pp_task		*pp_tasks;	/* a scan's processes */
	size_t			 pp_tasks_cap;
	size_t			 pp_unknown;	/* PP_UNKNOWN left to find */
	struct pp_counters	 pp_counters;
};

/* One process being scanned: its name is read at most once. */
struct pp_proc {
	pid_t	pr_pid;
	int	pr_have_comm;
	char	pr_comm[PP_COMM_MAX];
};

struct procpid *
procpid_new(const char *procroot)
{
	struct procpid	*pp;

	pp = calloc(1, sizeof(*pp));
	if (pp == NULL)
		return NULL;
	pp->pp_root = strdup(procroot);
	if (pp->pp_root == NULL) {
		free(pp);
		return NULL;
	}
	return pp;
}

void
procpid_free(struct procpid *pp)
{
	if (pp == NULL)
		return;
	free(pp->pp_root);
	free(pp->pp_owners);
	free(pp->pp_spare);
	free(pp->pp_inodes);
	free(pp->pp_radix);
	free(pp->pp_owner_pids);
	free(pp->pp_tasks);
	free(pp);
}

/* Grows *arr to hold n elements of size sz; 0 or -1 (ENOMEM). */
static int
pp_reserve(void *arr, size_t *cap, size_t n, size_t sz)
{
	void	**p = arr;
	void	 *grown;
	size_t	  want;

	if (n <= *cap)
		return 0;
	want = n < 64 ? 64 : n + n / 4;
	if (want > SIZE_MAX / sz) {
		errno = ENOMEM;
		return -1;
	}
	grown = realloc(*p, want * sz);
	if (grown == NULL)
		return -1;
	*p = grown;
	*cap = want;
	return 0;
}

/* LSD radix sort, a byte a pass: linear in n, where qsort with a
 * comparison callback would cost several times more at 100k inodes.
 * An even number of passes leaves the result in a. */
static void
pp_radix_sort(uint32_t *a, uint32_t *tmp, size_t n)
{
	size_t		 count[256], sum, i, c;
	uint32_t	*src = a, *dst = tmp, *swap;
	int		 shift;

	for (shift = 0; shift < 32; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xff]++;
		for (sum = 0, i = 0; i < 256; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xff]++] = src[i];
		swap = src;
		src = dst;
		dst = swap;
	}
}

static int
pp_cmp_pid(const void *a, const void *b)
{
	pid_t	x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/* Fewest sockets first, then by pid. */
static int
pp_cmp_task(const void *a, const void *b)
{
	const struct pp_task	*x = a, *y = b;

	if (x->pt_sockets != y->pt_sockets)
		return x->pt_sockets < y->pt_sockets ? -1 : 1;
	return x->pt_pid < y->pt_pid ? -1 : x->pt_pid > y->pt_pid;
}

/* Searches pp_inodes, which parallels pp_owners after an update: 4 bytes
 * an entry keep the search in cache where the owners would not, and the
 * branch-free halving (a conditional move) costs no mispredictions. */
static struct pp_owner *
pp_find(const struct procpid *pp, uint32_t inode)
{
	const uint32_t	*base = pp->pp_inodes;
	size_t		 n = pp->pp_nowners;

	if (n == 0)
		return NULL;
	while (n > 1) {
		size_t	half = n / 2;

		base = base[half] <= inode ? base + half : base;
		n -= half;
	}
	if (*base != inode)
		return NULL;
	return &pp->pp_owners[base - pp->pp_inodes];
}

/* Sorted, unique, non-zero copy of the inodes into pp_inodes; its size. */
static ssize_t
pp_sorted_inodes(struct procpid *pp, const uint32_t *inodes, size_t n)
{
	size_t	i, out = 0;

	size_t	cap = pp->pp_inodes_cap;

	if (pp_reserve(&pp->pp_radix, &cap, n, sizeof(*pp->pp_radix)) < 0)
		return -1;
	if (cap != pp->pp_inodes_cap) {
		uint32_t	*grown;

		grown = realloc(pp->pp_inodes, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		pp->pp_inodes = grown;
		pp->pp_inodes_cap = cap;
	}
	if (n == 0)
		return 0;
	memcpy(pp->pp_inodes, inodes, n * sizeof(*inodes));
	pp_radix_sort(pp->pp_inodes, pp->pp_radix, n);
	for (i = 0; i < n; i++) {
		if (pp->pp_inodes[i] == 0)
			continue;
		if (out > 0 && pp->pp_inodes[out - 1] == pp->pp_inodes[i])
			continue;
		pp->pp_inodes[out++] = pp->pp_inodes[i];
	}
	return out;
}

/* Keeps owners of inodes still listed, adds the new ones as unknown. */
static void
pp_merge(struct procpid *pp, size_t n)
{
	struct pp_owner	*old = pp->pp_owners, *out = pp->pp_spare, *swap;
	size_t		 i, j = 0;

	pp->pp_unknown = 0;
	for (i = 0; i < n; i++) {
		uint32_t	inode = pp->pp_inodes[i];

		while (j < pp->pp_nowners && old[j].po_inode < inode)
			j++;
		if (j < pp->pp_nowners && old[j].po_inode == inode) {
			out[i] = old[j];
			/* Still unknown if a scan could not run (ENOMEM). */
			pp->pp_unknown += out[i].po_state == PP_UNKNOWN;
			continue;
		}
		memset(&out[i], 0, sizeof(out[i]));
		out[i].po_inode = inode;
		out[i].po_state = PP_UNKNOWN;
		pp->pp_unknown++;
	}
	swap = pp->pp_owners;
	pp->pp_owners = pp->pp_spare;
	pp->pp_spare = swap;
	pp->pp_nowners = n;
}

/* Reads /proc/PID/comm; "" when the process is gone. */
static void
pp_read_comm(const struct procpid *pp, struct pp_proc *pr)
{
	char	path[PATH_MAX];
	ssize_t	n;
	int	fd;

	pr->pr_have_comm = 1;
	pr->pr_comm[0] = '\0';
	snprintf(path, sizeof(path), "%s/%d/comm", pp->pp_root,
	    (int)pr->pr_pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, pr->pr_comm, sizeof(pr->pr_comm) - 1);
	close(fd);
	if (n < 0)
		n = 0;
	pr->pr_comm[n] = '\0';
	pr->pr_comm[strcspn(pr->pr_comm, "\n")] = '\0';
}

/* The inode of a "socket:[12345]" link; 0 for anything else. */
static uint32_t
pp_socket_inode(const char *link)
{
	static const char	 prefix[] = "socket:[";
	unsigned long		 v;
	char			*end;

	if (strncmp(link, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	errno = 0;
	v = strtoul(link + sizeof(prefix) - 1, &end, 10);
	if (errno != 0 || *end != ']' || v > UINT32_MAX)
		return 0;
	return v;
}

static void
pp_claim(struct procpid *pp, struct pp_proc *pr, uint32_t inode)
{
	struct pp_owner	*po = pp_find(pp, inode);

	if (po == NULL || po->po_state != PP_UNKNOWN)
		return;
	if (!pr->pr_have_comm)
		pp_read_comm(pp, pr);
	po->po_state = PP_FOUND;
	po->po_pid = pr->pr_pid;
	memcpy(po->po_comm, pr->pr_comm, sizeof(po->po_comm));
	pp->pp_unknown--;
	pp->pp_counters.pc_found++;
}

/* Reads one process's fd links.  A process that exits or that we may
 * not look into is skipped without a word. */
static void
pp_scan_pid(struct procpid *pp, pid_t pid)
{
	struct pp_proc	 pr;
	struct dirent	*de;
	char		 path[PATH_MAX], link[64];
	DIR		*dir;
	ssize_t		 n;
	uint32_t	 inode;

	snprintf(path, sizeof(path), "%s/%d/fd", pp->pp_root, (int)pid);
	dir = opendir(path);
	if (dir == NULL)
		return;
	pp->pp_counters.pc_pids++;
	memset(&pr, 0, sizeof(pr));
	pr.pr_pid = pid;
	while (pp->pp_unknown > 0 && (de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(dir), de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		pp->pp_counters.pc_links++;
		inode = pp_socket_inode(link);
		if (inode != 0)
			pp_claim(pp, &pr, inode);
	}
	closedir(dir);
}

static pid_t
pp_parse_pid(const char *name)
{
	unsigned long	 v;
	char		*end;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	errno = 0;
	v = strtoul(name, &end, 10);
	if (errno != 0 || *end != '\0' || v > INT_MAX)
		return 0;
	return (pid_t)v;
}

/* Sockets the cache gave pid at the last scan (pp_owner_pids is sorted
 * by pid, its first member). */
static uint32_t
pp_sockets_of(const struct procpid *pp, pid_t pid)
{
	const struct pp_task	*pt;

	if (pp->pp_nowner_pids == 0)
		return 0;
	pt = bsearch(&pid, pp->pp_owner_pids, pp->pp_nowner_pids,
	    sizeof(*pt), pp_cmp_pid);
	return pt ? pt->pt_sockets : 0;
}

/* Every process in /proc, fewest known sockets first: a new socket of a
 * small process is found before the big servers are read, and a server's
 * own new sockets cost what they cost anyway.  Returns how many, or -1. */
static ssize_t
pp_list_tasks(struct procpid *pp)
{
	struct dirent	*de;
	DIR		*dir;
	pid_t		 pid;
	size_t		 n = 0;

	dir = opendir(pp->pp_root);
	if (dir == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		if ((pid = pp_parse_pid(de->d_name)) == 0)
			continue;
		if (pp_reserve(&pp->pp_tasks, &pp->pp_tasks_cap, n + 1,
		    sizeof(*pp->pp_tasks)) < 0) {
			closedir(dir);
			return -1;
		}
		pp->pp_tasks[n].pt_pid = pid;
		pp->pp_tasks[n].pt_sockets = pp_sockets_of(pp, pid);
		n++;
	}
	closedir(dir);
	if (n > 1)
		qsort(pp->pp_tasks, n, sizeof(*pp->pp_tasks), pp_cmp_task);
	return n;
}

/* Counts the sockets each owner holds, for the next scan's order.  Best
 * effort: on ENOMEM the old counts stay. */
static void
pp_note_owners(struct procpid *pp)
{
	struct pp_task	*pt;
	size_t		 i, n = 0;

	if (pp_reserve(&pp->pp_owner_pids, &pp->pp_owner_pids_cap,
	    pp->pp_nowners, sizeof(*pp->pp_owner_pids)) < 0)
		return;
	pt = pp->pp_owner_pids;
	for (i = 0; i < pp->pp_nowners; i++)
		if (pp->pp_owners[i].po_state == PP_FOUND)
			pt[n++].pt_pid = pp->pp_owners[i].po_pid;
	if (n > 1)
		qsort(pt, n, sizeof(*pt), pp_cmp_pid);
	pp->pp_nowner_pids = 0;
	for (i = 0; i < n; i++) {
		if (pp->pp_nowner_pids > 0 &&
		    pt[pp->pp_nowner_pids - 1].pt_pid == pt[i].pt_pid) {
			pt[pp->pp_nowner_pids - 1].pt_sockets++;
			continue;
		}
		pt[pp->pp_nowner_pids].pt_pid = pt[i].pt_pid;
		pt[pp->pp_nowner_pids++].pt_sockets = 1;
	}
}

static void
pp_scan(struct procpid *pp)
{
	ssize_t	ntasks;
	size_t	i;

	if ((ntasks = pp_list_tasks(pp)) < 0)
		return;		/* the unknown stay unknown, for next time */
	pp->pp_counters.pc_scans++;
	for (i = 0; i < (size_t)ntasks && pp->pp_unknown > 0; i++)
		pp_scan_pid(pp, pp->pp_tasks[i].pt_pid);
	for (i = 0; i < pp->pp_nowners; i++) {
		if (pp->pp_owners[i].po_state == PP_UNKNOWN) {
			pp->pp_owners[i].po_state = PP_MISSED;
			pp->pp_counters.pc_missed++;
		}
	}
	pp->pp_unknown = 0;
	pp_note_owners(pp);
}

int
procpid_update(struct procpid *pp, const uint32_t *inodes, size_t n)
{
	ssize_t	ninodes;
	size_t	cap;

	/* Both owner arrays share one capacity so they can be swapped; room
	 * for n is made before pp_inodes changes, so a failure leaves the
	 * cache as it was. */
	cap = pp->pp_owners_cap;
	if (pp_reserve(&pp->pp_spare, &cap, n, sizeof(*pp->pp_spare)) < 0)
		return -1;
	if (cap != pp->pp_owners_cap) {
		struct pp_owner	*grown;

		grown = realloc(pp->pp_owners, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		pp->pp_owners = grown;
		pp->pp_owners_cap = cap;
	}
	ninodes = pp_sorted_inodes(pp, inodes, n);
	if (ninodes < 0)
		return -1;
	pp_merge(pp, ninodes);
	if (pp->pp_unknown > 0)
		pp_scan(pp);
	return 0;
}

pid_t
procpid_owner(const struct procpid *pp, uint32_t inode, const char **comm)
{
	const struct pp_owner	*po;

	po = inode != 0 ? pp_find(pp, inode) : NULL;
	if (po == NULL || po->po_state != PP_FOUND) {
		*comm = "";
		return 0;
	}
	*comm = po->po_comm;
	return po->po_pid;
}

void
procpid_counters(const struct procpid *pp, struct pp_counters *pc)
{
	*pc = pp->pp_counters;
	pc->pc_entries = pp->pp_nowners;
}

size_t
procpid_memory(const struct procpid *pp)
{
	return sizeof(*pp) + strlen(pp->pp_root) + 1 +
	    2 * pp->pp_owners_cap * sizeof(struct pp_owner) +
	    2 * pp->pp_inodes_cap * sizeof(uint32_t) +
	    (pp->pp_owner_pids_cap + pp->pp_tasks_cap) *
	    sizeof(struct pp_task);
}

/* Does a cgroup path component name a systemd unit that runs processes?
 * (systemd.unit(5): services and scopes hold them; slices only group.) */
static int
pp_is_unit(const char *s, size_t len)
{
	static const char *const suffixes[] = { ".service", ".scope" };
	size_t	i, sl;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		sl = strlen(suffixes[i]);
		if (len > sl && memcmp(s + len - sl, suffixes[i], sl) == 0)
			return 1;
	}
	return 0;
}

/* The last unit component of one cgroup path ("/system.slice/x.service"),
 * copied to unit; 0 when found. */
static int
pp_unit_of_path(const char *path, size_t plen, char *unit, size_t len)
{
	const char	*p = path, *end = path + plen, *best = NULL;
	size_t		 blen = 0, clen;

	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));

		clen = (size_t)((slash ? slash : end) - p);
		if (pp_is_unit(p, clen)) {
			best = p;
			blen = clen;
		}
		p += clen + 1;
	}
	if (best == NULL || blen >= len)
		return -1;
	memcpy(unit, best, blen);
	unit[blen] = '\0';
	return 0;
}

int
procpid_unit(const char *procroot, pid_t pid, char *unit, size_t len)
{
	char	path[PATH_MAX], text[4096];
	char	*line, *next;
	ssize_t	n;
	int	fd, rc = -1;

	unit[0] = '\0';
	if (pid <= 0 || len == 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%d/cgroup", procroot, (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	/* "ID:CONTROLLERS:PATH" lines: the unified hierarchy ("0::") is
	 * systemd's; on a v1 host its named hierarchy ("name=systemd"). */
	for (line = text; line != NULL && *line != '\0'; line = next) {
		char	*c1, *c2;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if ((c1 = strchr(line, ':')) == NULL ||
		    (c2 = strchr(c1 + 1, ':')) == NULL)
			continue;
		if ((c2 - c1 == 1 && strncmp(line, "0:", 2) == 0) ||
		    (c2 - c1 - 1 == 12 && memcmp(c1 + 1, "name=systemd",
		    12) == 0)) {
			if (pp_unit_of_path(c2 + 1, strlen(c2 + 1), unit,
			    len) == 0)
				rc = 0;
		}
	}
	return rc;
}
