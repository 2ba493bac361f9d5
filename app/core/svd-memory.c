/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-memory"

#include "svd-memory.h"
#include "svd-fault.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

/* A value in kB from a "Key:   123 kB" line of a /proc file, or
 * G_MAXUINT64 when the key is missing. */
static guint64
proc_kb (const char *contents,
         const char *key)
{
  const char *p = contents;
  gsize n = strlen (key);

  while (p != NULL && *p != '\0')
    {
      if (strncmp (p, key, n) == 0 && p[n] == ':')
        return g_ascii_strtoull (p + n + 1, NULL, 10) * 1024;
      p = strchr (p, '\n');
      if (p != NULL)
        p++;
    }
  return G_MAXUINT64;
}

/* Reads a small file from /proc or /sys whole (g_file_get_contents would
 * do, but these files report a size of 0 or 4096 either way). */
static char *
read_small (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static guint64
read_u64 (const char *path)
{
  g_autofree char *s = read_small (path);
  char *end = NULL;
  guint64 v;

  if (s == NULL || g_str_has_prefix (s, "max"))
    return G_MAXUINT64;
  v = g_ascii_strtoull (s, &end, 10);
  return end == s ? G_MAXUINT64 : v;
}

/* The cgroup v2 memory limit of this process, minus what the group uses. */
static guint64
cgroup_headroom (void)
{
  g_autofree char *self = read_small ("/proc/self/cgroup");
  g_autofree char *dir = NULL;
  g_autofree char *max_path = NULL;
  g_autofree char *cur_path = NULL;
  guint64 max, cur;
  const char *line;

  if (self == NULL || (line = strstr (self, "0::")) == NULL)
    return G_MAXUINT64;
  dir = g_strndup (line + 3, strcspn (line + 3, "\n"));
  max_path = g_build_filename ("/sys/fs/cgroup", dir, "memory.max", NULL);
  cur_path = g_build_filename ("/sys/fs/cgroup", dir, "memory.current", NULL);
  max = read_u64 (max_path);
  cur = read_u64 (cur_path);
  if (max == G_MAXUINT64 || cur == G_MAXUINT64)
    return G_MAXUINT64;
  return max > cur ? max - cur : 0;
}

static void
take_min (guint64     *least,
          const char **limit,
          guint64      value,
          const char  *name)
{
  if (value < *least)
    {
      *least = value;
      *limit = name;
    }
}

/**
 * svd_memory_host_headroom:
 * @limit: (out) (optional) (transfer none): names the limit that bounds
 *   the result, for messages
 *
 * How many more bytes this process can use on the host: the least of the
 * room left under its address-space limit (RLIMIT_AS, `ulimit -v`) and
 * data limit (RLIMIT_DATA), its cgroup's memory.max, and the memory the
 * kernel says is available. An OpenCL CPU device (PoCL) allocates its
 * "device" buffers here, and a failed allocation inside PoCL aborts the
 * process instead of failing the call, so the engine checks its plan
 * against this before allocating. The test hook
 * SVD_FAULT_INJECT=host-mem:BYTES caps the result at BYTES.
 *
 * Returns: bytes, or %G_MAXUINT64 when nothing is known to bound it
 */
guint64
svd_memory_host_headroom (const char **limit)
{
  g_autofree char *status = read_small ("/proc/self/status");
  g_autofree char *meminfo = read_small ("/proc/meminfo");
  guint64 least = G_MAXUINT64, cap;
  const char *name = "nothing";
  struct rlimit rl;

  if (status != NULL && getrlimit (RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    {
      guint64 used = proc_kb (status, "VmSize");

      if (used != G_MAXUINT64)
        take_min (&least, &name, rl.rlim_cur > used ? rl.rlim_cur - used : 0,
                  "the address-space limit (ulimit -v)");
    }
  if (status != NULL && getrlimit (RLIMIT_DATA, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
    {
      guint64 used = proc_kb (status, "VmData");

      if (used != G_MAXUINT64)
        take_min (&least, &name, rl.rlim_cur > used ? rl.rlim_cur - used : 0,
                  "the data-size limit (ulimit -d)");
    }
  take_min (&least, &name, cgroup_headroom (), "the cgroup's memory limit");
  if (meminfo != NULL)
    take_min (&least, &name, proc_kb (meminfo, "MemAvailable"), "the memory available (MemAvailable)");
  cap = svd_fault_host_memory_cap ();
  take_min (&least, &name, cap, "the test limit (SVD_FAULT_INJECT=host-mem)");
  if (limit != NULL)
    *limit = name;
  return least;
}

/**
 * svd_memory_format:
 * @bytes: a size
 *
 * Returns: (transfer full): @bytes in MiB for messages, e.g. "1144.4 MiB"
 */
char *
svd_memory_format (guint64 bytes)
{
  return g_strdup_printf ("%.1f MiB", bytes / 1048576.0);
}
