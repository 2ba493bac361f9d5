/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "svd-file"

#include "svd-file.h"
#include "svd-error.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/**
 * svd_file_kind:
 * @mode: a `st_mode` from stat()
 *
 * Returns: what a file of @mode is, for messages ("a FIFO (named pipe)",
 *   "a folder"…)
 */
const char *
svd_file_kind (unsigned int mode)
{
  if (S_ISDIR (mode))
    return "a folder";
  if (S_ISFIFO (mode))
    return "a FIFO (named pipe)";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  if (S_ISSOCK (mode))
    return "a socket";
  return "not a regular file";
}

/* Opens @path for reading and checks it is a regular file of at most
 * @max_bytes. O_NONBLOCK makes opening a FIFO return at once instead of
 * waiting for a writer; it changes nothing for regular files. Symlinks are
 * followed, and what they lead to is checked. */
static int
open_regular (const char   *path,
              gsize         max_bytes,
              struct stat  *st,
              GError      **error)
{
  int fd, saved;

  do
    fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot open “%s”: %s", path, g_strerror (saved));
      return -1;
    }
  if (fstat (fd, st) != 0)
    {
      saved = errno;
      close (fd);
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read “%s”: %s", path, g_strerror (saved));
      return -1;
    }
  if (!S_ISREG (st->st_mode))
    {
      close (fd);
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO,
                   "Cannot read “%s”: it is %s; only regular files are read", path, svd_file_kind (st->st_mode));
      return -1;
    }
  if (st->st_size < 0 || (guint64) st->st_size > max_bytes)
    {
      close (fd);
      g_set_error (error, SVD_ERROR, SVD_ERROR_INVALID_INPUT,
                   "“%s” is %" G_GINT64_FORMAT " bytes, above the limit of %" G_GSIZE_FORMAT
                   " bytes for this kind of file", path, (gint64) st->st_size, max_bytes);
      return -1;
    }
  return fd;
}

/**
 * svd_file_read_regular:
 * @path: a file
 * @max_bytes: the largest size accepted
 * @contents: (out) (transfer full): the bytes, NUL-terminated
 * @length: (out) (optional): their number, without the NUL
 * @error: return location for an error
 *
 * Reads a whole regular file of at most @max_bytes, like
 * g_file_get_contents() but refusing FIFOs, devices and folders before
 * reading anything (%SVD_ERROR_IO) and files above @max_bytes
 * (%SVD_ERROR_INVALID_INPUT, naming the limit). A file that grows while it
 * is read is cut at the size it had when opened.
 *
 * Returns: %TRUE on success
 */
gboolean
svd_file_read_regular (const char  *path,
                       gsize        max_bytes,
                       char       **contents,
                       gsize       *length,
                       GError     **error)
{
  struct stat st;
  g_autofree char *buf = NULL;
  gsize size, got = 0;
  int fd;

  g_return_val_if_fail (path != NULL && contents != NULL, FALSE);

  if ((fd = open_regular (path, max_bytes, &st, error)) < 0)
    return FALSE;
  size = (gsize) st.st_size;
  buf = g_try_malloc (size + 1);
  if (buf == NULL)
    {
      close (fd);
      g_set_error (error, SVD_ERROR, SVD_ERROR_OUT_OF_MEMORY,
                   "Cannot read “%s”: no memory for %" G_GSIZE_FORMAT " bytes", path, size);
      return FALSE;
    }
  while (got < size)
    {
      gssize n = read (fd, buf + got, size - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read “%s”: %s", path, g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        break; /* truncated while reading: keep what is there */
      got += (gsize) n;
    }
  close (fd);
  buf[got] = '\0';
  *contents = g_steal_pointer (&buf);
  if (length != NULL)
    *length = got;
  return TRUE;
}

/**
 * svd_file_map_regular:
 * @path: a file
 * @max_bytes: the largest size accepted
 * @error: return location for an error
 *
 * Maps a regular file of at most @max_bytes read-only, with the same
 * checks as svd_file_read_regular(). Model files are mapped so that a
 * parser touches only the pages it reads.
 *
 * Returns: (transfer full) (nullable): the file's bytes
 */
GBytes *
svd_file_map_regular (const char  *path,
                      gsize        max_bytes,
                      GError     **error)
{
  g_autoptr(GMappedFile) map = NULL;
  g_autoptr(GError) local = NULL;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if ((fd = open_regular (path, max_bytes, &st, error)) < 0)
    return NULL;
  map = g_mapped_file_new_from_fd (fd, FALSE, &local);
  close (fd);
  if (map == NULL)
    {
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read “%s”: %s", path, local->message);
      return NULL;
    }
  return g_mapped_file_get_bytes (map);
}

/**
 * svd_file_fopen_regular:
 * @path: a file to read
 * @error: return location for an error
 *
 * fopen (@path, "rb") for a streaming reader (libpng), with the same
 * refusal of anything but a regular file, made without blocking (opening
 * a FIFO with no writer would wait forever).
 *
 * Returns: (transfer full) (nullable): the stream, or %NULL with @error
 */
FILE *
svd_file_fopen_regular (const char  *path,
                        GError     **error)
{
  struct stat st;
  int fd = open_regular (path, G_MAXSIZE, &st, error);
  int flags;
  FILE *fp;

  if (fd < 0)
    return NULL;
  /* Blocking reads from here on: it is a regular file. */
  flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  fp = fdopen (fd, "rb");
  if (fp == NULL)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, SVD_ERROR, SVD_ERROR_IO, "Cannot read “%s”: %s", path, g_strerror (saved));
    }
  return fp;
}
